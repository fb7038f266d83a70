-- Finding work (就业登记): the record keeps the categories the person held the day the job began
-- (第二十条: subsidies after placement rely on them), as JSON text; NULL for records made before
-- they were kept. The unemployment registration ends that day (第三条 recognises 登记失业人员
-- only), with the reason.
ALTER TABLE employment_records ADD COLUMN categories_at_start TEXT;
ALTER TABLE unemployment_registrations ADD COLUMN ended_on TEXT;
ALTER TABLE unemployment_registrations ADD COLUMN end_reason TEXT;

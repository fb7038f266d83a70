-- Phone and ID numbers by their last four characters (issue #11), instead of the reversed numbers
-- of migration 0022's `person_number_tails`: a phone's last digits, an ID number's sequence
-- code and check character (X included). A longer tail is looked up by its last four and the
-- rest compared on the hundred or so persons that share them (at 1M). Indexes on an expression,
-- kept by the engines themselves at every write, so an import writes no row for them; a query
-- uses them only where it repeats the expression exactly (`search::terms`). Phone numbers have
-- 10 to 12 digits, ID numbers 18 characters.
DROP TABLE person_number_tails;
CREATE INDEX persons_phone_last4 ON persons (substr(phone, length(phone) - 3));
CREATE INDEX persons_id_number_last4 ON persons (substr(id_number, 15));

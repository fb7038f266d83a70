//! The catalogue in Chinese, the users' first language: keys as in [`super::en`], in the same
//! order. Each message about a field starts with the field's name and, in brackets, what the
//! form calls it.

pub(super) const WORDS: &[(&str, &str)] = &[
    // Shared by several capabilities.
    ("store_error", "数据库错误：{error}"),
    ("person_not_found", "id_number（身份证号码）：登记中没有身份证号码为{id_number}的人员"),
    ("actor_required", "actor（经办人）：须记录由谁办理"),
    // Errors of the API and the pages themselves (`ApiError::said`).
    ("not_found", "未找到"),
    ("unauthenticated", "请先登录"),
    ("forbidden", "您的角色无权执行此操作"),
    ("internal", "服务器内部错误，请稍后再试"),
    ("invalid_body", "请求内容有误"),
    ("invalid_body.detail", "请求内容有误：{detail}"),
    ("invalid_json", "请求内容不是有效的 JSON：{detail}"),
    ("bad_request", "请求无效"),
    ("bad_request.detail", "请求无效：{detail}"),
    ("method_not_allowed", "不支持此请求方法"),
    ("too_large", "请求内容超过服务器允许的上限：请拆分文件后分批提交"),
    ("too_large.limit", "请求内容超过服务器允许的上限 {mib} MiB：请拆分文件后分批提交"),
    ("unsupported_media_type.json", "请求内容类型应为 application/json"),
    ("unsupported_media_type.import", "导入文件的内容类型应为 text/csv 或 {xlsx}"),
    ("outside_jurisdiction.unit", "单位 {unit} 不在您的管辖范围内"),
    ("outside_jurisdiction.account_unit", "unit（单位）：单位 {unit} 不在您的管辖范围内"),
    ("outside_jurisdiction.transfer", "转出单位和转入单位都不在您的管辖范围内：须由其中一方办理"),
    ("transfer.withdraw_not_your_side", "只有提出转移的一方可以撤回"),
    ("transfer.decide_not_your_side", "此转移等待另一方单位确认，提出人不能自行确认"),
    ("invalid_date.on", "on（日期）：“{text}”不是有效日期，应为 YYYY-MM-DD"),
    ("date_in_future.on", "on（日期）：{day}晚于今天（{today}），只能记录已经发生的事"),
    ("too_long", "{field}：内容过长（最多{max}个字符）"),
    ("invalid_text", "{field}：含有不可见的控制字符"),
    ("list_separator", "；"),
    // Revocations (第六条).
    (
        "revocation.version_conflict",
        "version（版本）：注销建议已被他人办理（读取时为第{expected}版，现为第{found}版），请刷新后再办理",
    ),
    ("revocation.proposal_not_found", "proposal（注销建议）：没有编号为{id}的注销建议"),
    (
        "revocation.already_decided",
        "proposal（注销建议）：该建议已由{decided_by}于{decided_on}审核为“{state}”，不能再次审核",
    ),
    ("revocation.state.proposed", "待审核"),
    ("revocation.state.confirmed", "确认注销"),
    ("revocation.state.dismissed", "不予注销"),
    ("revocation.nothing_to_revoke", "reason（注销原因）：{id_number}目前没有因“{reason}”可注销的认定资格"),
    ("revocation.unknown_policy", "policy（政策）：未加载政策“{policy}”，请联系系统管理员"),
    (
        "revocation.household_reason",
        "reason（注销原因）：“家庭成员实现就业”须从实现就业的家庭成员处对全户提出，不能对单人提出",
    ),
    ("revocation.at_office_not_reached", "reached（是否联系上）：本人到场或来电即视为已联系上"),
    ("revocation.invalid_unit", "unit（单位）：“{prefix}”不是单位代码或其前缀（只能是数字）"),
    // Applications for recognition.
    (
        "application.person_not_found",
        "id_number（身份证号码）：登记中没有身份证号码为{id_number}的人员，请先办理失业登记",
    ),
    ("application.not_found", "application_id（申请编号）：没有编号为{application_id}的申请"),
    (
        "application.already_recognised",
        "category（申请类别）：该人员自{since}起已被认定为“{category}”（{policy}），无须再次申请",
    ),
    (
        "application.already_open",
        "category（申请类别）：该人员同一类别的申请{application_id}尚未办结，请在该申请上继续办理",
    ),
    ("application.invalid_unit", "unit（单位）：“{prefix}”不是单位代码或其前缀（至多12位数字）"),
    (
        "application.policy_superseded",
        "category（申请类别）：申请受理日{received_on}施行的政策是“{current}”，不是“{policy}”；请按{current}的类别重新申请",
    ),
    (
        "application.no_policy_in_force",
        "category（申请类别）：申请受理日{received_on}没有施行中的政策，“{policy}”不能认定",
    ),
    (
        "application.rules_not_met",
        "category（申请类别）：按{document}（{policy}），以申请受理日{received_on}的情况，不符合“{category}”的认定条件：{unmet}",
    ),
    ("application.unmet_condition", "{condition}（{citation}）"),
    (
        "application.version_conflict",
        "version（版本）：申请已被他人办理（读取时为第{expected}版，现为第{found}版），请重新打开后再办理",
    ),
    // Work found and ended.
    (
        "employment.not_found",
        "employment_id（就业记录）：该人员没有编号为{id}的就业记录，请从就业记录中选择要结束的一条",
    ),
    (
        "employment.below_working_age",
        "started_on（就业日期）：{started_on}该人员未满16周岁（{sixteenth}满16周岁），依劳动法第十五条不能登记就业",
    ),
    (
        "employment.overlaps",
        "started_on（就业日期）：自{started_on}起的就业与{other}重叠；请先登记该就业结束（最后工作日早于{started_on}），或核对日期",
    ),
    ("employment.other.at_until", "自{from}起在“{employer}”的就业（至{until}）"),
    ("employment.other.at_open", "自{from}起在“{employer}”的就业尚未结束"),
    ("employment.other.until", "自{from}起的就业（至{until}）"),
    ("employment.other.open", "自{from}起的就业尚未结束"),
    ("employment.already_ended", "employment_id（就业记录）：自{started_on}起的就业已于{ended_on}结束，不能再次结束"),
    ("employment.ends_before_start", "ended_on（最后工作日）：{ended_on}早于该就业的开始日期{started_on}"),
    // Accounts.
    ("account.username_taken", "username（用户名）：该用户名已被使用，请另选一个"),
    ("account.invalid_username", "username（用户名）：用户名须为1至64个字符，只能包含小写字母、数字、“.”、“_”和“-”"),
    ("account.unknown_unit", "unit（单位）：没有代码为{unit}的单位"),
    ("account.role_does_not_fit_unit", "role（角色）：“{role}”不能设在单位{unit}，请选择与该单位层级相符的角色"),
    ("account.not_found", "username（用户名）：没有用户名为{username}的账号"),
    ("account.not_a_social_worker", "username（用户名）：账号{username}不是社工，只能把人员分派给社工"),
    // Joining a household.
    (
        "join.version_conflict",
        "version（版本）：该申请已被他人办理（读取时为第{expected}版，现为第{found}版），请刷新后再办理",
    ),
    ("join.not_found", "join（加入家庭申请）：没有编号为{id}的申请"),
    ("join.already_decided", "join（加入家庭申请）：该申请已由{decided_by}于{decided_on}办理为“{state}”，不能再次办理"),
    ("join.state.pending", "待办理"),
    ("join.state.accepted", "同意"),
    ("join.state.refused", "不同意"),
    ("join.no_longer_claimed", "join（加入家庭申请）：该人员的登记已不再属于家庭 {household}，无须同意"),
    ("join.reason_required", "reason（理由）：请说明不同意的理由"),
];

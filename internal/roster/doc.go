// Package roster imports the county office's roster of cadres and households
// from the spreadsheets it already keeps.
//
// Two files make a roster: a cadres file and a households file. Each is a
// table with a header row; columns are found by header name (trimmed,
// case-insensitive, full-width forms narrowed, spaces and hyphens read as
// underscores), in any order, and columns not listed below are ignored. The
// header is normally the first non-empty row, but a title row above it (such
// as "嘉荫县帮扶干部名单") is skipped: the header is the first of the first five
// non-empty rows that names at least two known columns.
//
// In the tables below, "column" says whether the column must be in the
// header and "value" whether each row must fill it in.
//
// Cadres file:
//
//	field  column  value  accepted headers
//	id     yes     yes    id, 编号, 干部编号
//	name   yes     yes    name, 姓名
//	unit   yes     *      unit, 单位, 工作单位
//	role   yes     yes    role, 角色
//	phone  no      no     phone, 电话, 手机, 手机号, 联系电话
//
// Role values are cadre (or 干部, 帮扶干部) and leader (or 领导), in any
// case. *A cadre must have a unit; a leader with an empty unit is county-wide.
//
// Households file:
//
//	field     column  value  accepted headers
//	id        yes     yes    id, 户编号, 编号
//	name      yes     yes    name, 户主姓名, 户主, 姓名
//	village   yes     yes    village, 村, 所在村, 村庄
//	cadre_id  yes     yes    cadre_id, 干部编号, 帮扶干部编号
//	phone     no      no     phone, 电话, 手机, 手机号, 联系电话
//	address   no      no     address, 地址, 住址, 家庭住址
//
// A household may be assigned to any person in the cadres file, cadre or
// leader (leaders can also be 帮扶干部).
//
// Files are read by extension: .csv (UTF-8 with or without a byte-order mark,
// or GBK/GB18030 as Excel saves it on Chinese Windows; ragged rows are
// tolerated) and .xlsx (its only sheet, or the sheet named in
// [Source.Sheet]: a workbook of several sheets, hidden ones included, needs
// the name, so that a forgotten sheet is never imported by mistake). Cells
// are trimmed and fully empty rows are skipped. A file is at most 64 MiB; a
// workbook is refused before it is unpacked into memory if its parts unpack
// to more than 512 MiB (256 MiB for one part) or a cell holds more than
// 1 MiB of text.
//
// Validation collects every problem (up to [MaxProblems]) rather than stopping
// at the first, and reports them as a [*ValidationError]. Each [Problem] names
// the file, the line (1-based, counting the header; for xlsx the sheet row),
// the field and the offending value. IDs must be 1–64 ASCII letters, digits,
// '-' or '_' because they end up in Redis keys and Telegram callback data;
// full-width forms typed with a Chinese input method are narrowed first. IDs
// must be unique within their file, and every household's cadre_id must be
// an ID in the cadres file. A phone, if given, must be digits with optional
// spaces, '+', '-', parentheses, and '/' or commas between several numbers.
// Names, units and villages hold at most [MaxNameLen] characters, addresses
// [MaxAddressLen] and phone cells [MaxPhoneLen]. Phone numbers, addresses
// and over-long values are never echoed in messages.
package roster

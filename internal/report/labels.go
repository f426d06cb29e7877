package report

import (
	"github.com/minqing/minqing/flows"
)

// catalog is the package's small message catalog: every word the chart and
// the workbook show, in one language.
type catalog struct {
	lang string

	// Chart.
	open, late, resolved string // the three series, also used in the summary
	count                string // the x axis
	county, unit         string // the scope when the digest has no name
	moreUnits, moreCadre string // fmt with the number of rows left out
	noData               string
	digest               string // "周报" after the scope
	totals               string // fmt: open, late, resolved

	// Workbook.
	sheetRequests, sheetSummary string
	columns                     []string // the requests sheet, in order
	transfersIn, transfersOut   string   // transfers of the week (summary)
	sentBack                    string
	yes, no                     string
	states                      map[flows.State]string
	ratings                     map[flows.Rating]string
	solved                      map[string]string // Digest.Requests[i].Solved
	origins                     map[string]string // Digest.Requests[i].Origin
	vias                        map[string]string // Digest.Requests[i].VerdictVia ("chat" or "phone")

	period, metric, thisWeek, lastWeek, parts, trend string
	received, respondedInTime, closed, median        string
	rateResponse, rateResolution, rateSatisfaction   string
	rateOnTime                                       string
	rowUnit, rowCadre, rowVillage                    string
	category, noCategory                             string
	hours, minutes                                   string // fmt for the median

	// Coverage (coverage.go).
	cov *coverageLabels
}

var zh = &catalog{
	lang:        "zh",
	open:        "待办",
	late:        "超期",
	transfersIn: "转入", transfersOut: "转出", sentBack: "退回",
	resolved:  "已办结",
	count:     "件数",
	county:    "全县",
	unit:      "本单位",
	moreUnits: "另有 %d 个单位未列出",
	moreCadre: "另有 %d 名干部未列出",
	noData:    "本周暂无数据",
	digest:    "周报",
	totals:    "待办 %d · 超期 %d · 已办结 %d",

	sheetRequests: "诉求",
	sheetSummary:  "汇总",
	columns: []string{"编号", "村", "户主", "干部", "单位", "类别", "内容摘要", "状态",
		"受理时间", "首次回应", "期限", "办结", "是否解决", "满意度", "超期", "转办路径", "来源", "评价方式"},
	yes:     "是",
	no:      "否",
	origins: map[string]string{"": "群众发来", flows.OriginVisit: "走访代录", flows.OriginPhone: "电话代录"},
	vias:    map[string]string{"chat": "聊天", "phone": "电话回访"},
	states: map[flows.State]string{
		flows.StateReceived:  "待受理",
		flows.StateResponded: "已联系",
		flows.StatePromised:  "限期办理",
		flows.StateResolved:  "已办结",
		flows.StateClosed:    "已结束",
	},
	ratings: map[flows.Rating]string{
		flows.RatingSatisfied:   "满意",
		flows.RatingBasic:       "基本满意",
		flows.RatingUnsatisfied: "不满意",
	},
	solved: map[string]string{"yes": "已解决", "no": "未解决"},

	period:           "周期",
	metric:           "指标",
	thisWeek:         "本周",
	lastWeek:         "上周",
	parts:            "分子/分母",
	trend:            "趋势",
	received:         "受理",
	respondedInTime:  "按时回应",
	closed:           "已结束",
	median:           "首次回应用时（中位数）",
	rateResponse:     "响应率",
	rateResolution:   "解决率",
	rateSatisfaction: "满意率",
	rateOnTime:       "按期办结率",
	rowUnit:          "单位",
	rowCadre:         "干部",
	rowVillage:       "村",
	category:         "类别",
	noCategory:       "未分类",
	hours:            "%d小时%d分",
	minutes:          "%d分钟",
	cov:              covZh,
}

var en = &catalog{
	lang:        "en",
	open:        "open",
	late:        "late",
	transfersIn: "transfers in", transfersOut: "transfers out", sentBack: "sent back",
	resolved:  "resolved",
	count:     "requests",
	county:    "County",
	unit:      "Unit",
	moreUnits: "+%d more units not shown",
	moreCadre: "+%d more cadres not shown",
	noData:    "No data this week",
	digest:    "weekly digest",
	totals:    "open %d · late %d · resolved %d",

	sheetRequests: "Requests",
	sheetSummary:  "Summary",
	columns: []string{"ID", "Village", "Household", "Cadre", "Unit", "Category", "Summary", "State",
		"Received", "First response", "Deadline", "Resolved", "Solved", "Rating", "Late", "Transfer path", "Origin", "Verdict by"},
	yes:     "yes",
	no:      "no",
	origins: map[string]string{"": "message", flows.OriginVisit: "recorded on a visit", flows.OriginPhone: "recorded by phone"},
	vias:    map[string]string{"chat": "chat", "phone": "phone"},
	states: map[flows.State]string{
		flows.StateReceived:  "received",
		flows.StateResponded: "responded",
		flows.StatePromised:  "deadline set",
		flows.StateResolved:  "resolved",
		flows.StateClosed:    "closed",
	},
	ratings: map[flows.Rating]string{
		flows.RatingSatisfied:   "satisfied",
		flows.RatingBasic:       "basically satisfied",
		flows.RatingUnsatisfied: "unsatisfied",
	},
	solved: map[string]string{"yes": "solved", "no": "not solved"},

	period:           "Week",
	metric:           "Measure",
	thisWeek:         "This week",
	lastWeek:         "Last week",
	parts:            "Num/Den",
	trend:            "Trend",
	received:         "Received",
	respondedInTime:  "Responded in time",
	closed:           "Closed",
	median:           "Median time to first response",
	rateResponse:     "Response rate",
	rateResolution:   "Resolution rate",
	rateSatisfaction: "Satisfaction rate",
	rateOnTime:       "On-time rate",
	rowUnit:          "Unit",
	rowCadre:         "Cadre",
	rowVillage:       "Village",
	category:         "Category",
	noCategory:       "(none)",
	hours:            "%dh%02dm",
	minutes:          "%d min",
	cov:              covEn,
}

// labelsFor returns the catalog of lang as flows.Lang picks it: English
// for "en…", else Chinese, the bot's first language.
func labelsFor(lang string) *catalog {
	if flows.Lang(lang, flows.LangZh) == flows.LangEn {
		return en
	}
	return zh
}

// state names a request state; an unknown state shows as stored.
func (c *catalog) state(s flows.State) string {
	if v, ok := c.states[s]; ok {
		return v
	}
	return string(s)
}

// rating names a rating; "" (no verdict yet) stays empty.
func (c *catalog) rating(r flows.Rating) string {
	if v, ok := c.ratings[r]; ok {
		return v
	}
	return string(r)
}

// solvedText names a verdict's "yes"/"no"; "" stays empty.
func (c *catalog) solvedText(s string) string {
	if v, ok := c.solved[s]; ok {
		return v
	}
	return s
}

// bool is 是/否 or yes/no.
func (c *catalog) bool(b bool) string {
	if b {
		return c.yes
	}
	return c.no
}

package bot

// catalog holds every user-facing text, Simplified Chinese first, English
// second. Values are text/template sources rendered with HTML-escaped data:
// .A is the notice's Args, .L its list, .N the list's length.
var catalog = map[string]map[string]string{
	"zh": {
		"stranger":          "您好！这里是<b>民情联系</b>服务。\n请扫描帮扶干部发给您的《民情联系卡》上的二维码，再按“开始”；不能扫码的，把卡上的绑定码发到这里（大小写、空格都不要紧）。还没有联系卡的，请向村里或帮扶干部索取。",
		"help.household":    "有困难，直接在这里发消息：文字、语音、照片、位置都可以，您的帮扶干部会收到并回复您。\n\n/my 我的诉求\n/lang 切换语言（English）",
		"help.cadre":        "群众的诉求会推送到这里。\n答复群众：长按诉求消息，选“回复”，写下答复即可。\n按钮：已联系、当场解决、限期办理；📝 备注（只有干部看得到，群众看不到）；🔀 转办（交给能办的单位，写明原因，您仍是这户的联系人）。\n\n/open 我的待办诉求\n/lang 切换语言（English）",
		"help.leader":       "群众的诉求会推送给帮扶干部，您可以随时查看本单位情况。转给本单位的诉求会带着分派按钮送到这里：分派给本单位干部、自己办理，或写明原因退回。\n\n/digest 本周到现在的周报\n/open 需要您督办的和分给您的待办诉求\n/lang 切换语言（English）",
		"bad_code":          "这个二维码或绑定码无效或已停用。请核对卡上的绑定码，或联系您的帮扶干部重新领取联系卡。",
		"card_full":         "这张联系卡已绑定了 {{.A.max}} 个账号，不能再绑定。如需更换，请联系您的帮扶干部。",
		"invite_used":       "这个邀请已被使用。如需更换账号，请联系县里的工作人员。",
		"bound_other":       "这个 Telegram 账号已绑定了其他身份。如需更改，请联系县里的工作人员。",
		"too_many_tries":    "错误的绑定码太多了，请一小时后再试，或请您的帮扶干部帮忙。",
		"slow_down":         "您发得太快了。消息都已保存，帮扶干部会看到；请稍等一会儿再发。",
		"household_card":    "<b>民情联系卡</b>\n{{.A.household}}（{{.A.village}}）\n\n您的帮扶干部：<b>{{.A.cadre}}</b>\n单位：{{.A.unit}}{{if .A.phone}}\n电话：{{.A.phone}}{{end}}\n\n有困难，直接在这里发消息，文字、语音、照片都可以。",
		"cadre_welcome":     "欢迎您，{{.A.name}}{{if .A.unit}}（{{.A.unit}}）{{end}}。\n{{if eq .A.role \"leader\"}}您会在这里收到：\n· 督办：{{if .A.unit}}本单位{{else}}没有单位领导的单位{{end}}的诉求超时未回应、超过期限、被群众两次退回，或帮扶干部联系不上时，诉求连同按钮送到这里，您可以直接处理；\n· 每周周报：上周{{if .A.unit}}本单位{{else}}全县{{end}}的响应率、解决率、满意率，附图表和 Excel 表。\n/digest 本周到现在的周报\n/open 需要您督办的和分给您的待办诉求\n/help 使用说明{{else}}群众的诉求会推送到这里；长按消息选“回复”即可答复群众。\n/open 我的待办诉求\n/help 使用说明{{end}}",
		"request_ack":       "已收到，诉求编号 <b>#{{.A.no}}</b>。您的帮扶干部会尽快联系您。",
		"followup_ack":      "已补充到诉求 #{{.A.no}}。如果这是另一件事，请点下面的按钮。",
		"new_request":       "🆕 <b>新诉求 #{{.A.no}}</b>\n{{.A.household}} · {{.A.village}}\n{{kind .A.kind}}{{.A.text}}",
		"followup":          "➕ <b>诉求 #{{.A.no}} 补充</b>\n{{.A.household}} · {{.A.village}}\n{{kind .A.kind}}{{.A.text}}",
		"cadre_reply":       "💬 {{if .A.unit}}{{.A.unit}} {{.A.cadre}}{{else}}帮扶干部{{.A.cadre}}{{end}}答复（#{{.A.no}}）：\n{{kind .A.kind}}{{.A.text}}",
		"reply_sent":        "✓ 已转给群众（#{{.A.no}}）",
		"contacted":         "{{if .A.unit}}{{.A.unit}}的{{.A.cadre}}{{else}}帮扶干部{{.A.cadre}}{{end}}已收到您的诉求 #{{.A.no}}，正在办理。",
		"solved":            "您的诉求 #{{.A.no}} 已由{{if .A.unit}}{{.A.unit}}的{{end}}{{.A.cadre}}当场解决。",
		"deadline_set":      "您的诉求 #{{.A.no}} 将在 <b>{{.A.deadline}}</b> 前办结（{{if .A.unit}}{{.A.unit}}：{{else}}帮扶干部：{{end}}{{.A.cadre}}）。",
		"resolved":          "您的诉求 #{{.A.no}} 已办结（{{if .A.unit}}{{.A.unit}}：{{else}}帮扶干部：{{end}}{{.A.cadre}}）。",
		"new_cadre":         "您的帮扶干部已更换为 <b>{{.A.cadre}}</b>（{{.A.unit}}）{{if .A.phone}}，电话：{{.A.phone}}{{end}}。未办结的诉求已一并转交。",
		"my_requests":       "<b>我的诉求</b>{{range .L}}\n#{{.RequestID}} {{state .State}}{{if .Deadline}} · 截止 {{.Deadline}}{{end}}{{if .Late}} ⚠️超期{{end}}\n   {{.Summary}}{{else}}\n您还没有提过诉求。有困难直接发消息就可以。{{end}}",
		"open_requests":     "<b>待办诉求（{{.N}}）</b>{{range .L}}\n#{{.RequestID}} {{if .Late}}⚠️超期 {{end}}{{.Who}} · {{.Village}} · {{state .State}}{{if .Deadline}} · 截止 {{.Deadline}}{{end}}\n   {{.Summary}}{{else}}\n没有待办诉求。{{end}}",
		"timeline":          "<b>诉求 #{{.A.no}} 时间线</b>{{range .L}}\n{{.Deadline}} {{actor .Who}} {{action .Summary}}{{if .Note}}：{{.Note}}{{end}} → {{state .State}}{{end}}",
		"no_route":          "要答复群众，请长按他们的诉求消息，选“回复”再写。\n/open 查看待办诉求。",
		"forbidden":         "抱歉，您没有权限做这个操作。",
		"role_ended":        "您在民情联系服务中的职务已按县里最新的名单结束，这个账号已解除绑定，不会再收到诉求、提醒和周报。如有疑问，请联系县里的工作人员。",
		"unsupported":       "抱歉，暂不支持这类消息。请发文字、语音、照片或位置。",
		"lang_set":          "已切换为中文。",
		"request_closed":    "诉求 #{{.A.no}} 已结束，消息没有转出。",
		"cadre_unreachable": "您的帮扶干部暂时联系不上，诉求 #{{.A.no}} 已转给单位领导，会有人尽快联系您。",
		"reminder":          "⏰ <b>提醒：诉求 #{{.A.no}} 还没有回应</b>\n{{.A.household}} · {{.A.village}}\n{{kind .A.kind}}{{.A.text}}",
		"request_waiting":   "诉求 #{{.A.no}} 已记下。{{if eq .A.reason \"unbound\"}}您的帮扶干部{{.A.cadre}}还没有开通民情联系，开通后马上就会收到。{{else}}您的帮扶干部{{.A.cadre}}暂时收不到消息，恢复后就会看到。{{end}}{{if .A.phone}}急事请打电话 {{.A.phone}}。{{end}}",
		"escalation":        "⚠️ <b>督办：诉求 #{{.A.no}}</b>{{if eq .A.reason \"unreachable\"}}（帮扶干部{{.A.cadre}}联系不上）{{else if eq .A.reason \"late\"}}（帮扶干部{{.A.cadre}}，期限 {{.A.deadline}} 已过）{{else if eq .A.reason \"reopened\"}}（帮扶干部{{.A.cadre}}，群众两次退回）{{else if eq .A.reason \"transfer\"}}（转办来的，待分派）{{else}}（帮扶干部{{.A.cadre}}超时未回应）{{end}}\n{{.A.household}} · {{.A.village}}\n{{kind .A.kind}}{{.A.text}}",
		"deadline_soon":     "⏰ 诉求 #{{.A.no}}（{{.A.household}}）将于 <b>{{.A.deadline}}</b> 到期。",
		"overdue":           "🔴 <b>超期：诉求 #{{.A.no}}</b>\n{{.A.household}} · {{.A.village}} · 帮扶干部{{.A.cadre}}\n期限 {{.A.deadline}} 已过。",
		"default_deadline":  "诉求 #{{.A.no}} 没有选择办理方式，已按默认期限定为 <b>{{.A.deadline}}</b>，并告知群众。",
		"deadline_prompt":   "{{if .A.move}}请回复本消息，写新的日期和改期原因，例如：\n<code>12-20 等材料</code>{{else}}请回复本消息，写办结日期，例如：\n<code>12-20</code>{{end}}\n（诉求 #{{.A.no}}）",
		"deadline_format":   "没看懂这个日期。{{if .A.move}}请写“日期 原因”，例如 <code>12-20 等材料</code>{{else}}请写日期，例如 <code>12-20</code>{{end}}，日期不能早于今天。请再回复上面那条提问。",
		"deadline_confirm":  "✓ 诉求 #{{.A.no}} {{if .A.move}}办结日期改为 <b>{{.A.deadline}}</b>{{else}}定在 <b>{{.A.deadline}}</b> 前办结{{end}}{{if .A.reason}}（原因：{{.A.reason}}）{{end}}，已告诉群众。",
		"deadline_moved":    "您的诉求 #{{.A.no}} 办结日期改为 <b>{{.A.deadline}}</b>。原因：{{.A.reason}}（{{if .A.unit}}{{.A.unit}}：{{else}}帮扶干部：{{end}}{{.A.cadre}}）",
		"verdict_ask":       "诉求 #{{.A.no}} 帮扶干部说已经办好了。{{if .A.rate}}您对办理满意吗？{{else}}问题解决了吗？{{end}}",
		"thanks":            "谢谢您的评价！诉求 #{{.A.no}} 已结束。有新的困难随时发消息。",
		"reopened":          "↩️ <b>诉求 #{{.A.no}} 被退回</b>（{{if eq .A.why \"unsatisfied\"}}群众不满意{{else}}群众说没有解决{{end}}）\n{{.A.household}} · {{.A.village}}",
		"reopen_ack":        "已告诉帮扶干部，诉求 #{{.A.no}} 会继续办理。",
		"closed_unrated":    "诉求 #{{.A.no}} 已结束。有新的困难随时发消息。",

		"digest": "<b>📊 {{if .D.Unit}}{{.D.Unit}}{{else}}{{.D.County}} 全县{{end}} 周报</b> {{.D.Week.Label}}（{{day .D.Week.Start}}—{{lastday .D.Week}}）\n" +
			"收到 {{.D.Received}} · 按时回应 {{.D.RespondedInTime}} · 办结 {{.D.Resolved}} · 结束 {{.D.Closed}}\n现在待办 {{.D.Open}} · 超期 {{.D.Late}}\n\n" +
			"响应率 <b>{{rate .D.Rates.Response}}</b> {{arrow .D.Rates.Response .D.Previous.Response}}（上周 {{rate .D.Previous.Response}}）\n" +
			"解决率 <b>{{rate .D.Rates.Resolution}}</b> {{arrow .D.Rates.Resolution .D.Previous.Resolution}}（上周 {{rate .D.Previous.Resolution}}）\n" +
			"满意率 <b>{{rate .D.Rates.Satisfaction}}</b> {{arrow .D.Rates.Satisfaction .D.Previous.Satisfaction}}（上周 {{rate .D.Previous.Satisfaction}}）\n" +
			"按期办结率 <b>{{rate .D.Rates.OnTime}}</b> {{arrow .D.Rates.OnTime .D.Previous.OnTime}}（上周 {{rate .D.Previous.OnTime}}）\n" +
			"首次回应中位数 {{if .D.HasMedian}}{{dur .D.MedianFirstResponse}}{{else}}—{{end}}" +
			"{{if .D.Rows}}\n\n<b>{{if .D.Unit}}各干部{{else}}各单位{{end}}</b>（收到/超期/响应/解决/满意）{{range .D.Rows}}\n{{.Name}}：{{.Received}}/{{.Late}}/{{rate .Rates.Response}}/{{rate .Rates.Resolution}}/{{rate .Rates.Satisfaction}}{{end}}{{end}}" +
			"{{if .D.Villages}}\n\n<b>各村</b>（收到/超期）{{range .D.Villages}}\n{{.Name}}：{{.Received}}/{{.Late}}{{end}}{{end}}" +
			"{{if .D.OldestLate}}\n\n<b>超期最久</b>{{range .D.OldestLate}}\n#{{.RequestID}} {{.Village}} · {{.Cadre}} · 超期{{.DaysLate}}天 · {{.Summary}}{{end}}{{end}}" +
			"{{if .D.Categories}}\n\n<b>类别</b> {{range $i, $c := .D.Categories}}{{if $i}} · {{end}}{{cat $c.Category}} {{$c.Count}}{{end}}{{end}}" +
			"{{if or .D.TransfersIn .D.TransfersOut .D.SentBack}}\n\n<b>转办</b> 转入 {{.D.TransfersIn}} · 转出 {{.D.TransfersOut}} · 退回 {{.D.SentBack}}{{if not .D.Unit}}{{range .D.Rows}}{{if or .TransfersIn .TransfersOut .SentBack}}\n{{.Name}}：转入 {{.TransfersIn}} · 转出 {{.TransfersOut}} · 退回 {{.SentBack}}{{end}}{{end}}{{end}}{{end}}" +
			"{{with .D.Coverage}}\n\n<b>走访覆盖</b>（近{{.EveryDays}}天）覆盖率 <b>{{rate .Rate}}</b>（已联系 {{.Contacted}}/{{.Assigned}} 户，其中走访 {{.Visited}} 户）\n本周联系 {{.ContactedWeek}} 户 · 本周走访 {{.VisitedWeek}} 户" +
			"{{if .Rows}}\n覆盖率最低：{{range $i, $r := .Rows}}{{if $i}} · {{end}}{{$r.Name}} {{rate $r.Rate}}{{end}}{{end}}" +
			"{{if .Villages}}\n覆盖率最低的村：{{range $i, $r := .Villages}}{{if $i}} · {{end}}{{$r.Name}} {{rate $r.Rate}}{{end}}{{end}}" +
			"{{if .Longest}}\n<b>最久未联系</b>{{range .Longest}}\n{{.Household}} · {{.Village}} · {{.Cadre}} · {{if .Last.IsZero}}尚无联系记录{{else}}{{.Days}}天未联系{{end}}{{end}}{{end}}{{end}}",
		"digest_chart": "{{.A.week}} 待办 / 超期 / 已办结",
		"digest_sheet": "{{.A.week}} 诉求明细（Excel）",
		"cat.medical":  "看病就医", "cat.housing": "住房安全", "cat.livelihood": "生产发展", "cat.subsidy": "低保救助",
		"cat.schooling": "子女上学", "cat.infrastructure": "基础设施", "cat.policy": "政策咨询", "cat.other": "其他", "cat.none": "未分类",
		"btn.cg": "🏷 类别", "btn.cg.0": "看病就医", "btn.cg.1": "住房安全", "btn.cg.2": "生产发展", "btn.cg.3": "低保救助",
		"btn.cg.4": "子女上学", "btn.cg.5": "基础设施", "btn.cg.6": "政策咨询", "btn.cg.7": "其他",
		"category_prompt": "诉求 #{{.A.no}} 属于哪一类？",
		"action.cg":       "分类",
		"resolve_prompt":  "诉求 #{{.A.no}} 已办结。可以回复本消息写一句办结说明，群众会看到（可不写）。",
		"resolve_note":    "诉求 #{{.A.no}} 办结说明（{{if .A.unit}}{{.A.unit}}{{else}}帮扶干部{{end}}{{.A.cadre}}）：{{.A.note}}",
		"toast.done":      "已完成",
		"toast.forbidden": "您无权操作",
		"toast.invalid":   "当前状态下不能这样操作",
		"toast.gone":      "找不到这个诉求",
		"toast.error":     "出错了，请稍后再试",

		"btn.ct": "📞 已联系", "btn.ss": "✅ 当场解决", "btn.dl": "📅 限期{{.}}天", "btn.rs": "✔️ 已办结",
		"btn.tl": "🕘 时间线", "btn.sp": "🆕 这是新的诉求", "btn.dl.": "📅 其他日期", "btn.md": "🔁 改期",
		"btn.vs.y": "✅ 解决了", "btn.vs.n": "❌ 没解决", "btn.vr.3": "😊 满意", "btn.vr.2": "🙂 基本满意", "btn.vr.1": "🙁 不满意",

		"state.received": "待受理", "state.responded": "已联系", "state.promised": "限期办理",
		"state.resolved": "已办结", "state.closed": "已结束",

		"kind.voice": "[语音] ", "kind.photo": "[照片] ", "kind.video": "[视频] ", "kind.document": "[文件] ",
		"kind.location": "[位置] ", "kind.contact": "[名片] ",

		"actor.household": "群众", "actor.cadre": "干部", "actor.system": "系统",
		"action.new": "提出诉求", "action.fu": "补充", "action.re": "答复", "action.ct": "已联系",
		"action.ss": "当场解决", "action.dl": "限期", "action.rs": "办结", "action.ra": "转交",
		"action.md": "改期", "action.vs": "评价是否解决", "action.vr": "评价满意度",
		"action.cl": "结束", "action.rm": "提醒", "action.es": "督办", "action.od": "超期", "action.ak": "请群众评价", "action.sp": "拆分",

		"cmd.start": "开始", "cmd.help": "使用说明", "cmd.my": "我的诉求", "cmd.open": "待办诉求",
		"cmd.digest": "本单位情况", "cmd.lang": "切换语言",

		// notes, transfers and send-backs (issue 17)
		"btn.nt": "📝 备注", "btn.tf": "🔀 转办", "btn.as.me": "🙋 我来办", "btn.sb": "↩️ 退回",
		"action.nt": "备注", "action.tf": "转办", "action.as": "分派", "action.sb": "退回转办",
		"note_prompt":     "请回复本消息写下诉求 #{{.A.no}} 的备注（只有干部和领导能看到，群众看不到）。",
		"note_added":      "✓ 诉求 #{{.A.no}} 的备注已记下（群众看不到）。",
		"reason_needed":   "内容不能为空。请回复上面的问题再写一次（诉求 #{{.A.no}}）。",
		"transfer_pick":   "诉求 #{{.A.no}} 转给哪个单位办理？",
		"transfer_reason": "请回复本消息写明把诉求 #{{.A.no}} 转给<b>{{.A.unit}}</b>的原因（群众会看到）。",
		"transfer_done":   "✓ 诉求 #{{.A.no}} 已转给{{.A.unit}}，群众已被告知。您仍是这户的联系人，办理的每一步都会告诉您。",
		"transferred":     "您的诉求 #{{.A.no}} {{if .A.reason}}已转给<b>{{.A.unit}}</b>办理。原因：{{.A.reason}}{{else}}经县里协调，由<b>{{.A.unit}}</b>办理。{{end}}有事仍可直接在这里发消息，您的帮扶干部会收到。",
		"transfer_in":     "{{if .A.county}}⚖️ <b>请县里定夺：诉求 #{{.A.no}}</b>\n{{.A.from}}两次退回，请选一个单位办理（选定后不能再退回）。最后的退回原因：{{.A.reason}}{{else}}🔀 <b>转办来的诉求 #{{.A.no}}</b>（来自{{if .A.from}}{{.A.from}}{{else}}县里{{end}}，联系人：帮扶干部{{.A.cadre}}）\n原因：{{.A.reason}}\n请分派给本单位的干部，或自己办理{{end}}\n{{.A.household}} · {{.A.village}}\n{{kind .A.kind}}{{.A.text}}",
		"assigned":        "🔀 <b>分派给您的诉求 #{{.A.no}}</b>（{{.A.by}}分派，从{{if .A.from}}{{.A.from}}{{else}}县里{{end}}转来）\n原因：{{.A.reason}}\n{{.A.household}} · {{.A.village}}\n{{kind .A.kind}}{{.A.text}}",
		"assign_done":     "✓ 诉求 #{{.A.no}} 已分派给{{.A.cadre}}。",
		"sendback_prompt": "请回复本消息写明退回诉求 #{{.A.no}} 的原因（必填）。",
		"sent_back":       "↩️ <b>诉求 #{{.A.no}} 被{{.A.unit}}退回</b>\n原因：{{.A.reason}}\n{{if .A.county}}已两次退回，交县里定夺。{{else}}诉求回到帮扶干部手中，可以再转办或自己办理。{{end}}\n{{.A.household}} · {{.A.village}}",
		"sendback_done":   "✓ 诉求 #{{.A.no}} 已退回{{if .A.county}}，交县里定夺{{end}}。",
		"back_home":       "您的诉求 #{{.A.no}} 仍由帮扶干部{{.A.cadre}}办理。",
		"transfer_step":   "🔄 诉求 #{{.A.no}}：{{if .A.unit}}{{.A.unit}} {{end}}{{.A.who}} {{action .A.action}}{{if .A.to}} → {{.A.to}}{{end}}{{if .A.note}}：{{.A.note}}{{end}}（{{statename .A.state}}{{if .A.deadline}}，期限 {{.A.deadline}}{{end}}）",
		"btn.hp":          "🤝 协办", "action.hp": "请协办",
		"helper_pick": "请哪个单位协办诉求 #{{.A.no}}？",
		"helper_in":   "🤝 <b>请贵单位协办诉求 #{{.A.no}}</b>（主办：{{.A.unit}}，{{.A.by}}邀请）\n可以写备注、看时间线，由主办单位办结。\n{{.A.household}} · {{.A.village}}\n{{kind .A.kind}}{{.A.text}}",
		"helper_done": "✓ 已请{{.A.unit}}协办诉求 #{{.A.no}}。",

		"batch.head.reminder":   "⏰ <b>提醒：{{.N}} 条诉求还没有回应</b>",
		"batch.head.escalation": "⚠️ <b>督办：{{.N}} 条诉求</b>",
		"batch.head.mixed":      "⏰ <b>提醒和督办：{{.N}} 条诉求</b>",
		"batch.more":            "（续）",
		"batch.line.reminder":   "#{{.A.no}} {{.A.household}} · {{.A.village}}：{{kind .A.kind}}{{.A.text}}",
		"batch.line.escalation": "#{{.A.no}} {{.A.household}} · {{.A.village}} · 帮扶干部{{.A.cadre}}{{if eq .A.reason \"late\"}}（期限 {{.A.deadline}} 已过）{{else if eq .A.reason \"reopened\"}}（群众两次退回）{{else if eq .A.reason \"unreachable\"}}（联系不上）{{else if eq .A.reason \"transfer\"}}（转办来的，待分派）{{else}}（超时未回应）{{end}}：{{kind .A.kind}}{{.A.text}}",
		"batch.open":            "#{{.}}",

		// coverage nudges and check-ins (issue 16)
		"nudge":          "<b>走访提醒</b>\n以下 {{.A.n}} 户已有 {{.A.days}} 天以上没有联系（走访、诉求、答复、问候都算联系），请安排走访或打个电话：{{range .L}}\n· {{.Who}} · {{.Village}}{{if .Deadline}} · 自 {{.Deadline}} 起未联系（{{.Summary}} 天）{{else}} · 尚无联系记录{{end}}{{end}}",
		"household_page": "<b>{{.A.household}}</b>（{{.A.village}}）{{if .A.address}}\n地址：{{.A.address}}{{end}}{{if .A.phone}}\n电话：{{.A.phone}}{{end}}{{if .A.last}}\n已 {{.A.days}} 天未联系（自 {{.A.last}} 起）{{else}}\n尚无联系记录{{end}}",
		"checkin":        "您好！我是您的帮扶干部{{.A.cadre}}{{if .A.unit}}（{{.A.unit}}）{{end}}。最近家里都好吗？身体、生活上有没有什么需要帮忙的？{{if .A.phone}}\n也可以打我电话：{{.A.phone}}{{end}}",
		"checkin_ok":     "谢谢您！知道家里一切都好，我们就放心了。有事随时在这里说。",
		"checkin_talk":   "好的，请直接发消息告诉我们，文字、语音、照片都可以。您的下一条消息会作为一条新的诉求交给您的帮扶干部。",
		"btn.ci.ok":      "😊 一切都好", "btn.ci.talk": "💬 有事要说",
		"toast.expired": "这条消息的按钮已过期",
	},
	"en": {
		"stranger":          "Hello! This is the <b>Minqing</b> contact service.\nScan the QR code on the contact card your cadre gave you, then press Start; if you cannot scan, send the code printed on the card here (case and spaces do not matter). No card yet? Ask your village or your cadre for one.",
		"help.household":    "Need help? Just send a message here: text, voice, photo or location. Your cadre receives it and answers you.\n\n/my my requests\n/lang 切换语言 (中文)",
		"help.cadre":        "Households' requests arrive here.\nTo answer: long-press the request's message, choose Reply and write.\nButtons: contacted, solved on the spot, deadline; 📝 note (staff only, never the household); 🔀 transfer (to the unit that can solve it, with a reason; you stay the household's contact).\n\n/open my open requests\n/lang 切换语言 (中文)",
		"help.leader":       "Households' requests go to their cadres; you can see your unit at any time. Requests transferred to your unit come here with buttons: assign to a cadre of your unit, handle it yourself, or send it back with a reason.\n\n/digest this week's digest so far\n/open what needs you, and your own open requests\n/lang 切换语言 (中文)",
		"bad_code":          "This QR code or card code is not valid or no longer works. Please check the code on the card, or ask your cadre for a new contact card.",
		"card_full":         "This card is already bound to {{.A.max}} accounts. To change them, please ask your cadre.",
		"invite_used":       "This invite has already been used. To change the account, ask the county office.",
		"bound_other":       "This Telegram account is already bound to someone else. To change it, ask the county office.",
		"too_many_tries":    "Too many wrong codes. Please try again in an hour, or ask your cadre for help.",
		"slow_down":         "You are sending very fast. Your messages are saved and your cadre will see them; please wait a moment.",
		"household_card":    "<b>Contact card</b>\n{{.A.household}} ({{.A.village}})\n\nYour cadre: <b>{{.A.cadre}}</b>\nUnit: {{.A.unit}}{{if .A.phone}}\nPhone: {{.A.phone}}{{end}}\n\nNeed help? Just send a message here: text, voice or photo.",
		"cadre_welcome":     "Welcome, {{.A.name}}{{if .A.unit}} ({{.A.unit}}){{end}}.\n{{if eq .A.role \"leader\"}}Here you will get:\n• escalations: when a request of {{if .A.unit}}your unit{{else}}a unit without a leader of its own{{end}} has no response in time, is past its deadline, was sent back twice by the household, or its cadre cannot be reached, it comes here with its buttons, to act on;\n• the weekly digest: last week's response, resolution and satisfaction rates of {{if .A.unit}}your unit{{else}}the county{{end}}, with a chart and an Excel sheet.\n/digest this week so far\n/open what needs you, and your own open requests\n/help how it works{{else}}Households' requests arrive here; reply to a message to answer the household.\n/open my open requests\n/help how it works{{end}}",
		"request_ack":       "Received: request <b>#{{.A.no}}</b>. Your cadre will contact you soon.",
		"followup_ack":      "Added to request #{{.A.no}}. If this is about something else, press the button below.",
		"new_request":       "🆕 <b>New request #{{.A.no}}</b>\n{{.A.household}} · {{.A.village}}\n{{kind .A.kind}}{{.A.text}}",
		"followup":          "➕ <b>Request #{{.A.no}}: more</b>\n{{.A.household}} · {{.A.village}}\n{{kind .A.kind}}{{.A.text}}",
		"cadre_reply":       "💬 {{if .A.unit}}{{.A.cadre}} ({{.A.unit}}){{else}}Your cadre {{.A.cadre}}{{end}} answers (#{{.A.no}}):\n{{kind .A.kind}}{{.A.text}}",
		"reply_sent":        "✓ Sent to the household (#{{.A.no}})",
		"contacted":         "{{if .A.unit}}{{.A.cadre}} ({{.A.unit}}){{else}}Your cadre {{.A.cadre}}{{end}} has your request #{{.A.no}} and is working on it.",
		"solved":            "Your request #{{.A.no}} was solved on the spot by {{.A.cadre}}{{if .A.unit}} ({{.A.unit}}){{end}}.",
		"deadline_set":      "Your request #{{.A.no}} will be done by <b>{{.A.deadline}}</b> ({{if .A.unit}}{{.A.unit}}: {{else}}cadre: {{end}}{{.A.cadre}}).",
		"resolved":          "Your request #{{.A.no}} is done ({{if .A.unit}}{{.A.unit}}: {{else}}cadre: {{end}}{{.A.cadre}}).",
		"new_cadre":         "Your cadre is now <b>{{.A.cadre}}</b> ({{.A.unit}}){{if .A.phone}}, phone {{.A.phone}}{{end}}. Your open requests went along.",
		"my_requests":       "<b>My requests</b>{{range .L}}\n#{{.RequestID}} {{state .State}}{{if .Deadline}} · due {{.Deadline}}{{end}}{{if .Late}} ⚠️late{{end}}\n   {{.Summary}}{{else}}\nNo requests yet. Just send a message when you need help.{{end}}",
		"open_requests":     "<b>Open requests ({{.N}})</b>{{range .L}}\n#{{.RequestID}} {{if .Late}}⚠️late {{end}}{{.Who}} · {{.Village}} · {{state .State}}{{if .Deadline}} · due {{.Deadline}}{{end}}\n   {{.Summary}}{{else}}\nNo open requests.{{end}}",
		"timeline":          "<b>Request #{{.A.no}}: timeline</b>{{range .L}}\n{{.Deadline}} {{actor .Who}} {{action .Summary}}{{if .Note}}: {{.Note}}{{end}} → {{state .State}}{{end}}",
		"no_route":          "To answer a household, long-press their request's message and choose Reply.\n/open lists your open requests.",
		"forbidden":         "Sorry, you may not do that.",
		"role_ended":        "Your role in the Minqing contact service has ended with the county's latest roster. This account is no longer linked and will get no more requests, reminders or digests. If this is a mistake, contact the county office.",
		"unsupported":       "Sorry, this kind of message is not supported. Please send text, voice, a photo or a location.",
		"lang_set":          "Language set to English.",
		"request_closed":    "Request #{{.A.no}} is closed; the message was not passed on.",
		"cadre_unreachable": "Your cadre cannot be reached right now; request #{{.A.no}} went to the unit's leader, and someone will contact you soon.",
		"reminder":          "⏰ <b>Reminder: request #{{.A.no}} has no response yet</b>\n{{.A.household}} · {{.A.village}}\n{{kind .A.kind}}{{.A.text}}",
		"request_waiting":   "Request #{{.A.no}} is recorded. {{if eq .A.reason \"unbound\"}}Your cadre {{.A.cadre}} has not joined Minqing yet and will get it as soon as they do.{{else}}Your cadre {{.A.cadre}} cannot receive messages right now and will see it when they can.{{end}}{{if .A.phone}} If it is urgent, call {{.A.phone}}.{{end}}",
		"escalation":        "⚠️ <b>Escalated: request #{{.A.no}}</b>{{if eq .A.reason \"unreachable\"}} (cadre {{.A.cadre}} cannot be reached){{else if eq .A.reason \"late\"}} (cadre {{.A.cadre}}; the deadline {{.A.deadline}} has passed){{else if eq .A.reason \"reopened\"}} (cadre {{.A.cadre}}; sent back twice by the household){{else if eq .A.reason \"transfer\"}} (transferred here, not yet assigned){{else}} (cadre {{.A.cadre}} did not respond in time){{end}}\n{{.A.household}} · {{.A.village}}\n{{kind .A.kind}}{{.A.text}}",
		"deadline_soon":     "⏰ Request #{{.A.no}} ({{.A.household}}) is due on <b>{{.A.deadline}}</b>.",
		"overdue":           "🔴 <b>Late: request #{{.A.no}}</b>\n{{.A.household}} · {{.A.village}} · cadre {{.A.cadre}}\nThe deadline {{.A.deadline}} has passed.",
		"default_deadline":  "Request #{{.A.no}} got no deadline, so the default applies: <b>{{.A.deadline}}</b>. The household was told.",
		"deadline_prompt":   "{{if .A.move}}Reply to this message with the new date and the reason, e.g.\n<code>12-20 waiting for papers</code>{{else}}Reply to this message with the date it will be done, e.g.\n<code>12-20</code>{{end}}\n(request #{{.A.no}})",
		"deadline_format":   "I could not read that date. {{if .A.move}}Write \"date reason\", e.g. <code>12-20 waiting for papers</code>{{else}}Write a date, e.g. <code>12-20</code>{{end}}, not before today, as a reply to the question above.",
		"deadline_confirm":  "✓ Request #{{.A.no}}: {{if .A.move}}moved to{{else}}due by{{end}} <b>{{.A.deadline}}</b>{{if .A.reason}} (reason: {{.A.reason}}){{end}}; the household was told.",
		"deadline_moved":    "Request #{{.A.no}} will now be done by <b>{{.A.deadline}}</b>. Reason: {{.A.reason}} ({{if .A.unit}}{{.A.unit}}: {{else}}cadre: {{end}}{{.A.cadre}})",
		"verdict_ask":       "Your cadre says request #{{.A.no}} is done. {{if .A.rate}}How satisfied are you?{{else}}Is your problem solved?{{end}}",
		"thanks":            "Thank you! Request #{{.A.no}} is closed. Write any time you need help.",
		"reopened":          "↩️ <b>Request #{{.A.no}} came back</b> ({{if eq .A.why \"unsatisfied\"}}the household is not satisfied{{else}}the household says it is not solved{{end}})\n{{.A.household}} · {{.A.village}}",
		"reopen_ack":        "Your cadre has been told; request #{{.A.no}} stays open.",
		"closed_unrated":    "Request #{{.A.no}} is closed. Write any time you need help.",

		"digest": "<b>📊 {{if .D.Unit}}{{.D.Unit}}{{else}}{{.D.County}} county{{end}}: weekly digest</b> {{.D.Week.Label}} ({{day .D.Week.Start}}–{{lastday .D.Week}})\n" +
			"received {{.D.Received}} · answered in time {{.D.RespondedInTime}} · resolved {{.D.Resolved}} · closed {{.D.Closed}}\nopen now {{.D.Open}} · late {{.D.Late}}\n\n" +
			"Response rate <b>{{rate .D.Rates.Response}}</b> {{arrow .D.Rates.Response .D.Previous.Response}} (last week {{rate .D.Previous.Response}})\n" +
			"Resolution rate <b>{{rate .D.Rates.Resolution}}</b> {{arrow .D.Rates.Resolution .D.Previous.Resolution}} (last week {{rate .D.Previous.Resolution}})\n" +
			"Satisfaction rate <b>{{rate .D.Rates.Satisfaction}}</b> {{arrow .D.Rates.Satisfaction .D.Previous.Satisfaction}} (last week {{rate .D.Previous.Satisfaction}})\n" +
			"On-time rate <b>{{rate .D.Rates.OnTime}}</b> {{arrow .D.Rates.OnTime .D.Previous.OnTime}} (last week {{rate .D.Previous.OnTime}})\n" +
			"Median first response {{if .D.HasMedian}}{{dur .D.MedianFirstResponse}}{{else}}—{{end}}" +
			"{{if .D.Rows}}\n\n<b>{{if .D.Unit}}Per cadre{{else}}Per unit{{end}}</b> (received/late/response/resolution/satisfaction){{range .D.Rows}}\n{{.Name}}: {{.Received}}/{{.Late}}/{{rate .Rates.Response}}/{{rate .Rates.Resolution}}/{{rate .Rates.Satisfaction}}{{end}}{{end}}" +
			"{{if .D.Villages}}\n\n<b>Per village</b> (received/late){{range .D.Villages}}\n{{.Name}}: {{.Received}}/{{.Late}}{{end}}{{end}}" +
			"{{if .D.OldestLate}}\n\n<b>Longest late</b>{{range .D.OldestLate}}\n#{{.RequestID}} {{.Village}} · {{.Cadre}} · {{.DaysLate}} days late · {{.Summary}}{{end}}{{end}}" +
			"{{if .D.Categories}}\n\n<b>Categories</b> {{range $i, $c := .D.Categories}}{{if $i}} · {{end}}{{cat $c.Category}} {{$c.Count}}{{end}}{{end}}" +
			"{{if or .D.TransfersIn .D.TransfersOut .D.SentBack}}\n\n<b>Transfers</b>: in {{.D.TransfersIn}} · out {{.D.TransfersOut}} · sent back {{.D.SentBack}}{{if not .D.Unit}}{{range .D.Rows}}{{if or .TransfersIn .TransfersOut .SentBack}}\n{{.Name}}: in {{.TransfersIn}} · out {{.TransfersOut}} · sent back {{.SentBack}}{{end}}{{end}}{{end}}{{end}}" +
			"{{with .D.Coverage}}\n\n<b>Coverage</b> (last {{.EveryDays}} days) <b>{{rate .Rate}}</b> ({{.Contacted}}/{{.Assigned}} households contacted, {{.Visited}} of them visited)\nthis week: {{.ContactedWeek}} contacted · {{.VisitedWeek}} visited" +
			"{{if .Rows}}\nlowest: {{range $i, $r := .Rows}}{{if $i}} · {{end}}{{$r.Name}} {{rate $r.Rate}}{{end}}{{end}}" +
			"{{if .Villages}}\nlowest villages: {{range $i, $r := .Villages}}{{if $i}} · {{end}}{{$r.Name}} {{rate $r.Rate}}{{end}}{{end}}" +
			"{{if .Longest}}\n<b>Longest without contact</b>{{range .Longest}}\n{{.Household}} · {{.Village}} · {{.Cadre}} · {{if .Last.IsZero}}no contact on record{{else}}{{.Days}} days without contact{{end}}{{end}}{{end}}{{end}}",
		"digest_chart": "{{.A.week}} open / late / resolved",
		"digest_sheet": "{{.A.week}} requests (Excel)",
		"cat.medical":  "medical", "cat.housing": "housing", "cat.livelihood": "livelihood", "cat.subsidy": "subsidies",
		"cat.schooling": "schooling", "cat.infrastructure": "infrastructure", "cat.policy": "policy", "cat.other": "other", "cat.none": "none",
		"btn.cg": "🏷 Category", "btn.cg.0": "medical", "btn.cg.1": "housing", "btn.cg.2": "livelihood", "btn.cg.3": "subsidies",
		"btn.cg.4": "schooling", "btn.cg.5": "infrastructure", "btn.cg.6": "policy", "btn.cg.7": "other",
		"category_prompt": "Which category is request #{{.A.no}}?",
		"action.cg":       "categorized",
		"resolve_prompt":  "Request #{{.A.no}} is done. You may reply to this message with a short note for the household (optional).",
		"resolve_note":    "Request #{{.A.no}}, the cadre's note ({{.A.cadre}}{{if .A.unit}}, {{.A.unit}}{{end}}): {{.A.note}}",
		"toast.done":      "Done",
		"toast.forbidden": "You may not do that",
		"toast.invalid":   "Not possible in the request's current state",
		"toast.gone":      "No such request",
		"toast.error":     "Something went wrong, please try again",

		"btn.ct": "📞 Contacted", "btn.ss": "✅ Solved now", "btn.dl": "📅 {{.}} days", "btn.rs": "✔️ Done",
		"btn.tl": "🕘 Timeline", "btn.sp": "🆕 This is a new request", "btn.dl.": "📅 Other date", "btn.md": "🔁 Move date",
		"btn.vs.y": "✅ Solved", "btn.vs.n": "❌ Not solved", "btn.vr.3": "😊 Satisfied", "btn.vr.2": "🙂 Fairly", "btn.vr.1": "🙁 Not satisfied",

		"state.received": "received", "state.responded": "contacted", "state.promised": "deadline set",
		"state.resolved": "done", "state.closed": "closed",

		"kind.voice": "[voice] ", "kind.photo": "[photo] ", "kind.video": "[video] ", "kind.document": "[file] ",
		"kind.location": "[location] ", "kind.contact": "[contact] ",

		"actor.household": "household", "actor.cadre": "cadre", "actor.system": "system",
		"action.new": "asked", "action.fu": "added", "action.re": "answered", "action.ct": "contacted",
		"action.ss": "solved on the spot", "action.dl": "deadline", "action.rs": "done", "action.ra": "moved",
		"action.md": "deadline moved", "action.vs": "solved?", "action.vr": "rated",
		"action.cl": "closed", "action.rm": "reminded", "action.es": "escalated", "action.od": "overdue", "action.ak": "asked for a verdict", "action.sp": "split",

		"cmd.start": "start", "cmd.help": "how it works", "cmd.my": "my requests", "cmd.open": "open requests",
		"cmd.digest": "my unit", "cmd.lang": "language",

		// notes, transfers and send-backs (issue 17)
		"btn.nt": "📝 Note", "btn.tf": "🔀 Transfer", "btn.as.me": "🙋 I'll handle it", "btn.sb": "↩️ Send back",
		"action.nt": "note", "action.tf": "transferred", "action.as": "assigned", "action.sb": "sent back",
		"note_prompt":     "Reply to this message with a note on request #{{.A.no}} (only staff see it, never the household).",
		"note_added":      "✓ Note on request #{{.A.no}} saved (the household does not see it).",
		"reason_needed":   "It cannot be empty. Please reply to the question above again (request #{{.A.no}}).",
		"transfer_pick":   "Transfer request #{{.A.no}} to which unit?",
		"transfer_reason": "Reply to this message with the reason for transferring request #{{.A.no}} to <b>{{.A.unit}}</b> (the household sees it).",
		"transfer_done":   "✓ Request #{{.A.no}} was transferred to {{.A.unit}} and the household told. You stay the household's contact and hear of every step.",
		"transferred":     "Your request #{{.A.no}} {{if .A.reason}}is now handled by <b>{{.A.unit}}</b>. Reason: {{.A.reason}}{{else}}is now handled by <b>{{.A.unit}}</b>, as the county decided.{{end}} You can still write here; your cadre receives it.",
		"transfer_in":     "{{if .A.county}}⚖️ <b>For the county to decide: request #{{.A.no}}</b>\nSent back twice (last by {{.A.from}}); pick the unit that handles it (it cannot be sent back again). Last reason: {{.A.reason}}{{else}}🔀 <b>Request #{{.A.no}} transferred to your unit</b> (from {{if .A.from}}{{.A.from}}{{else}}the county{{end}}; contact: cadre {{.A.cadre}})\nReason: {{.A.reason}}\nAssign it to a cadre of your unit, or handle it yourself{{end}}\n{{.A.household}} · {{.A.village}}\n{{kind .A.kind}}{{.A.text}}",
		"assigned":        "🔀 <b>Request #{{.A.no}} assigned to you</b> (by {{.A.by}}; transferred from {{if .A.from}}{{.A.from}}{{else}}the county{{end}})\nReason: {{.A.reason}}\n{{.A.household}} · {{.A.village}}\n{{kind .A.kind}}{{.A.text}}",
		"assign_done":     "✓ Request #{{.A.no}} assigned to {{.A.cadre}}.",
		"sendback_prompt": "Reply to this message with the reason for sending request #{{.A.no}} back (required).",
		"sent_back":       "↩️ <b>Request #{{.A.no}} was sent back by {{.A.unit}}</b>\nReason: {{.A.reason}}\n{{if .A.county}}Sent back twice: the county decides.{{else}}It is back with the household's cadre, to transfer again or handle.{{end}}\n{{.A.household}} · {{.A.village}}",
		"sendback_done":   "✓ Request #{{.A.no}} sent back{{if .A.county}}; the county decides{{end}}.",
		"back_home":       "Your request #{{.A.no}} is handled by your cadre {{.A.cadre}} again.",
		"transfer_step":   "🔄 Request #{{.A.no}}: {{.A.who}}{{if .A.unit}} ({{.A.unit}}){{end}} {{action .A.action}}{{if .A.to}} → {{.A.to}}{{end}}{{if .A.note}}: {{.A.note}}{{end}} ({{statename .A.state}}{{if .A.deadline}}, due {{.A.deadline}}{{end}})",
		"btn.hp":          "🤝 Co-handle", "action.hp": "asked to help",
		"helper_pick": "Which unit should help with request #{{.A.no}}?",
		"helper_in":   "🤝 <b>Your unit is asked to help with request #{{.A.no}}</b> (lead: {{.A.unit}}; asked by {{.A.by}})\nYou can add notes and see the timeline; the lead unit resolves it.\n{{.A.household}} · {{.A.village}}\n{{kind .A.kind}}{{.A.text}}",
		"helper_done": "✓ {{.A.unit}} was asked to help with request #{{.A.no}}.",

		"batch.head.reminder":   "⏰ <b>Reminder: {{.N}} requests have no response yet</b>",
		"batch.head.escalation": "⚠️ <b>Escalated: {{.N}} requests</b>",
		"batch.head.mixed":      "⏰ <b>Reminders and escalations: {{.N}} requests</b>",
		"batch.more":            "(continued)",
		"batch.line.reminder":   "#{{.A.no}} {{.A.household}} · {{.A.village}}: {{kind .A.kind}}{{.A.text}}",
		"batch.line.escalation": "#{{.A.no}} {{.A.household}} · {{.A.village}} · cadre {{.A.cadre}}{{if eq .A.reason \"late\"}} (deadline {{.A.deadline}} passed){{else if eq .A.reason \"reopened\"}} (sent back twice){{else if eq .A.reason \"unreachable\"}} (cannot be reached){{else if eq .A.reason \"transfer\"}} (transferred here, not yet assigned){{else}} (no response in time){{end}}: {{kind .A.kind}}{{.A.text}}",
		"batch.open":            "#{{.}}",

		// coverage nudges and check-ins (issue 16)
		"nudge":          "<b>Households to visit</b>\nThese {{.A.n}} households have not been contacted for {{.A.days}} days or more (a visit, a request, a reply or a check-in counts). Please visit or call them:{{range .L}}\n· {{.Who}} · {{.Village}}{{if .Deadline}} · not contacted since {{.Deadline}} ({{.Summary}} days){{else}} · no contact on record{{end}}{{end}}",
		"household_page": "<b>{{.A.household}}</b> ({{.A.village}}){{if .A.address}}\nAddress: {{.A.address}}{{end}}{{if .A.phone}}\nPhone: {{.A.phone}}{{end}}{{if .A.last}}\nNot contacted for {{.A.days}} days (since {{.A.last}}){{else}}\nNo contact on record{{end}}",
		"checkin":        "Hello! This is {{.A.cadre}}{{if .A.unit}} ({{.A.unit}}){{end}}, your cadre. How is the family? Is there anything we can help with?{{if .A.phone}}\nYou can also call me: {{.A.phone}}{{end}}",
		"checkin_ok":     "Thank you! Good to hear all is well. Write here any time.",
		"checkin_talk":   "Please tell us in a message: text, voice or photo. Your next message goes to your cadre as a new request.",
		"btn.ci.ok":      "😊 All is well", "btn.ci.talk": "💬 I have something to say",
		"toast.expired": "These buttons have expired",
	},
}

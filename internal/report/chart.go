package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/minqing/minqing/flows"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// ChartOptions tune Chart.
type ChartOptions struct {
	// FontPath is a CJK font (.ttf, .otf or .ttc). "" asks fonts.Find; a
	// path that does not exist is an error naming it.
	FontPath string
	// Lang is "zh" (待办/超期/已办结, the default) or "en" (open/late/resolved).
	Lang string
	// MaxRows is the most rows drawn (default 15). With more rows, those
	// with the most late+open requests are kept and the axis says how many
	// were left out.
	MaxRows int
}

// DefaultMaxRows is the number of rows a chart shows when
// ChartOptions.MaxRows is 0.
const DefaultMaxRows = 15

// The chart's geometry. It is laid out in points at chartDPI, so that the
// 1080 px wide image is 288 pt wide, about the width of a phone screen in
// CSS pixels: a 9 pt name is about 34 px high.
const (
	// ChartWidth is the width of every chart, in pixels.
	ChartWidth = 1080

	chartDPI    = 270
	marginPt    = 8
	headerPt    = 62 // title, subtitle, legend
	rowPt       = 21 // one row: three bars and a gap
	footPt      = 38 // the x axis, its label, the bottom margin
	barPt       = 5.5
	minHeightPx = 720
	maxNamePt   = 92 // longer names are cut, ending in "…"
)

// Series colours: open blue, late red, resolved green.
var (
	colOpen     = color.RGBA{0x3b, 0x7d, 0xd8, 0xff}
	colLate     = color.RGBA{0xd7, 0x30, 0x1f, 0xff}
	colResolved = color.RGBA{0x2e, 0x9e, 0x4f, 0xff}
	colText     = color.RGBA{0x22, 0x22, 0x22, 0xff}
	colMuted    = color.RGBA{0x66, 0x66, 0x66, 0xff}
	colGrid     = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
)

// chartHeight is the image height in pixels for n rows.
func chartHeight(n int) int {
	pt := headerPt + float64(n)*rowPt + footPt
	return max(minHeightPx, int(math.Ceil(pt*chartDPI/72)))
}

// Chart draws the digest's rows (units in the county view, cadres in a unit
// view) as a PNG of horizontal grouped bars, three per row: the row's Open,
// Late and Resolved counts as given (a late request is usually also
// counted as open), each bar labelled with its number. Above them are a
// title with the scope (d.Unit, else d.County) and the ISO week, a line
// with the week's dates and totals (and 走访覆盖率 when d.Coverage is set),
// and a legend. The image is ChartWidth
// (1080) px wide and grows with the number of rows shown (at least 720 px),
// for reading on a phone. Rows are shown by most late+open first; beyond
// MaxRows the axis says how many were left out. Long names are cut with
// "…". A digest without rows gives a chart that says there is no data.
//
// Chinese is drawn in the CJK font and Latin letters and digits in gonum's
// Liberation Sans, run by run, since some CJK fonts have no digits. When
// FontPath is "" and fonts.Find finds no CJK font, Chart does not fail: it
// draws in English with Liberation Sans only and replaces every name that
// is not plain ASCII by "#k", k being the row's 1-based position in d.Rows
// (and a non-ASCII scope by "County" or "Unit"), so that a caption can say
// who "#3" is. A FontPath that does not exist or cannot be parsed is an
// error naming the file.
//
// Chart is safe for concurrent use and changes no global plot settings.
func Chart(d flows.Digest, opts ChartOptions) ([]byte, error) {
	f, err := loadChartFont(opts.FontPath)
	if err != nil {
		return nil, err
	}
	lang := opts.Lang
	if !f.cjk {
		lang = "en"
	}
	c := labelsFor(lang)
	rows, more := chartRows(d, opts, f)
	img := image.NewRGBA(image.Rect(0, 0, ChartWidth, chartHeight(len(rows))))
	cv := vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(chartDPI))
	dc := draw.New(cv)
	series := chartSeries(c)
	var bars []*plotter.BarChart
	if len(rows) > 0 {
		if bars, err = drawBars(dc, f, c, d, rows, more, series); err != nil {
			return nil, err
		}
	}
	drawHeader(dc, f, c, d)
	if len(rows) == 0 {
		drawNoData(dc, f, c)
	} else {
		drawLegend(dc, f, series[0].label, series[1].label, series[2].label, bars)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, cv.Image()); err != nil {
		return nil, fmt.Errorf("report: chart: %w", err)
	}
	return buf.Bytes(), nil
}

// chartRows picks the rows the chart shows (and how many more there are);
// without a CJK font, a name it cannot draw shows as its row number.
func chartRows(d flows.Digest, opts ChartOptions, f chartFont) ([]ranked, int) {
	maxRows := opts.MaxRows
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	rows, more := selectRows(d.Rows, maxRows)
	if !f.cjk {
		for i := range rows {
			if !isASCII(rows[i].row.Name) || rows[i].row.Name == "" {
				rows[i].row.Name = "#" + strconv.Itoa(rows[i].index+1)
			}
		}
	}
	return rows, more
}

// barSeries is one of the chart's three bars per row.
type barSeries struct {
	label string
	color color.Color
	value func(flows.DigestRow) int
}

func chartSeries(c *catalog) []barSeries {
	return []barSeries{
		{c.open, colOpen, func(r flows.DigestRow) int { return r.Open }},
		{c.late, colLate, func(r flows.DigestRow) int { return r.Late }},
		{c.resolved, colResolved, func(r flows.DigestRow) int { return r.Resolved }},
	}
}

// drawNoData says, in the body, that there is nothing to show.
func drawNoData(dc draw.Canvas, f chartFont, c *catalog) {
	sty := f.style(12, false)
	sty.Color = colMuted
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	mid := vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: (dc.Max.Y - headerPt) / 2}
	dc.FillText(sty, mid, c.noData)
}

// drawBars plots the rows' bars, with their numbers, below the header.
func drawBars(dc draw.Canvas, f chartFont, c *catalog, d flows.Digest, rows []ranked, more int, series []barSeries) ([]*plotter.BarChart, error) {
	p := plot.New()
	p.TextHandler = f.handler
	f.set(&p.X.Tick.Label, 8)
	f.set(&p.Y.Tick.Label, 9)
	f.set(&p.X.Label.TextStyle, 8.5)
	p.X.Label.TextStyle.Color = colMuted
	p.X.Label.Text = c.count
	if more > 0 {
		format := c.moreUnits
		if d.Unit != "" {
			format = c.moreCadre
		}
		p.X.Label.Text += "  ·  " + fmt.Sprintf(format, more)
	}
	grid := plotter.NewGrid()
	grid.Horizontal.Color = nil
	grid.Vertical.Color = colGrid
	p.Add(grid)
	n, maxV := len(rows), 0
	var bars []*plotter.BarChart
	var values []plot.Plotter
	for k, s := range series {
		b, lbl, top, err := seriesBars(f, rows, k, s)
		if err != nil {
			return nil, err
		}
		p.Add(b)
		bars, maxV = append(bars, b), max(maxV, top)
		if lbl != nil {
			values = append(values, lbl)
		}
	}
	for _, l := range values {
		p.Add(l) // after all bars, so that no bar covers a number
	}
	names := make([]string, n)
	for i, r := range rows {
		names[n-1-i] = shorten(p.Y.Tick.Label.Width, r.row.Name, maxNamePt)
	}
	p.NominalY(names...)
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	p.X.Min, p.X.Max = 0, float64(maxV)*1.15+1
	p.X.Tick.Marker = plot.TickerFunc(intTicks)
	p.Draw(draw.Crop(dc, marginPt/2, -marginPt/2, 0, -headerPt))
	return bars, nil
}

// seriesBars makes the k-th series' bars (the first row on top) and the
// labels of its non-zero values (nil when all are zero); top is its largest
// value.
func seriesBars(f chartFont, rows []ranked, k int, s barSeries) (*plotter.BarChart, *plotter.Labels, int, error) {
	n, top := len(rows), 0
	vals := make(plotter.Values, n)
	var xys plotter.XYs
	var labels []string
	for i, r := range rows {
		v := max(0, s.value(r.row))
		vals[n-1-i] = float64(v)
		top = max(top, v)
		if v > 0 {
			xys = append(xys, plotter.XY{X: float64(v), Y: float64(n - 1 - i)})
			labels = append(labels, strconv.Itoa(v))
		}
	}
	b, err := plotter.NewBarChart(vals, barPt)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("report: chart: %w", err)
	}
	b.Horizontal = true
	b.Color = s.color
	b.LineStyle.Width = 0
	b.Offset = vg.Length(1-k) * barPt
	if len(xys) == 0 {
		return b, nil, top, nil
	}
	lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return nil, nil, 0, fmt.Errorf("report: chart: %w", err)
	}
	sty := f.style(7, false)
	sty.YAlign = draw.YCenter
	for i := range lbl.TextStyle {
		lbl.TextStyle[i] = sty
	}
	lbl.Offset = vg.Point{X: 2, Y: b.Offset + centerDigits(sty)}
	return b, lbl, top, nil
}

// drawHeader writes the title (scope, digest, week) and a subtitle (the
// week's dates and totals) at the top of the canvas.
func drawHeader(dc draw.Canvas, f chartFont, c *catalog, d flows.Digest) {
	scope := d.Unit
	if scope == "" {
		scope = d.County
	}
	switch {
	case scope == "" && d.Unit == "":
		scope = c.county
	case !f.cjk && !isASCII(scope):
		scope = c.county
		if d.Unit != "" {
			scope = c.unit
		}
	}
	title := scope + " " + c.digest
	if w := WeekLabel(d.Week); w != "" {
		title += "  " + w
	}
	width := dc.Max.X - dc.Min.X - 2*marginPt
	sty := f.style(13, true)
	sty.YAlign = draw.YTop
	sty.Font.Size = fitSize(sty, title, width)
	x := dc.Min.X + marginPt
	y := dc.Max.Y - marginPt
	dc.FillText(sty, vg.Point{X: x, Y: y}, title)
	y -= sty.Font.Size*1.2 + 3

	sub := fmt.Sprintf(c.totals, d.Open, d.Late, d.Resolved)
	if period := weekPeriod(d.Week, c); period != "" {
		sub = period + "  ·  " + sub
	}
	if cov := coverageLine(d, c); cov != "" {
		sub += "  ·  " + cov
	}
	sty = f.style(8.5, false)
	sty.YAlign = draw.YTop
	sty.Color = colMuted
	sty.Font.Size = fitSize(sty, sub, width)
	dc.FillText(sty, vg.Point{X: x, Y: y}, sub)
}

// drawLegend puts the three series side by side under the subtitle.
func drawLegend(dc draw.Canvas, f chartFont, open, late, resolved string, bars []*plotter.BarChart) {
	labels := []string{open, late, resolved}
	top := dc.Max.Y - headerPt + 17
	w := (dc.Max.X - dc.Min.X - 2*marginPt) / 3
	for i, b := range bars {
		l := plot.NewLegend()
		l.TextStyle = f.style(9, false)
		l.Left, l.Top = true, true
		l.ThumbnailWidth = 14
		l.Add(labels[i], b)
		x := dc.Min.X + marginPt + vg.Length(i)*w
		l.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: top - 14},
			Max: vg.Point{X: x + w, Y: top},
		}})
	}
}

// weekPeriod is the week's Monday to Sunday, "11月23日—11月29日" or
// "Nov 23 - Nov 29".
func weekPeriod(w flows.Week, c *catalog) string {
	if w.Start.IsZero() || w.End.IsZero() {
		return ""
	}
	last := w.End.Add(-1)
	if c.lang == "en" {
		return w.Start.Format("Jan 2") + " - " + last.Format("Jan 2")
	}
	return w.Start.Format("1月2日") + "—" + last.Format("1月2日")
}

// centerDigits is how far to move a YCenter label of digits so that the
// digits, not the font's full line box, are centred on its point.
func centerDigits(sty text.Style) vg.Length {
	e := sty.FontExtents()
	baseline := -0.5*sty.Height("0") - e.Ascent + sty.Font.Size // relative to the point
	return -(baseline + 0.36*sty.Font.Size)                     // digits are ~0.72 em high
}

// fitSize shrinks a style's font size until txt fits in width.
func fitSize(sty text.Style, txt string, width vg.Length) vg.Length {
	for sty.Font.Size > 6 && sty.Width(txt) > width {
		sty.Font.Size *= 0.92
	}
	return sty.Font.Size
}

// ranked is a digest row with its position in Digest.Rows.
type ranked struct {
	row   flows.DigestRow
	index int
}

// selectRows orders rows by late+open, most first (ties: more late, then
// the digest's order), and keeps at most maxRows; more is how many were
// left out.
func selectRows(rows []flows.DigestRow, maxRows int) (kept []ranked, more int) {
	kept = make([]ranked, len(rows))
	for i, r := range rows {
		kept[i] = ranked{r, i}
	}
	sort.SliceStable(kept, func(i, j int) bool {
		a, b := kept[i].row, kept[j].row
		if a.Late+a.Open != b.Late+b.Open {
			return a.Late+a.Open > b.Late+b.Open
		}
		return a.Late > b.Late
	})
	if len(kept) > maxRows {
		more = len(kept) - maxRows
		kept = kept[:maxRows]
	}
	return kept, more
}

// intTicks marks whole numbers only, 1, 2 or 5 times a power of ten apart,
// at most about six of them.
func intTicks(lo, hi float64) []plot.Tick {
	step := 1.0
	for hi/step > 6 {
		switch s := step / math.Pow(10, math.Floor(math.Log10(step))); s {
		case 1:
			step *= 2
		case 2:
			step *= 2.5
		default:
			step *= 2
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.Itoa(int(v))})
	}
	return ticks
}

// shorten cuts s to fit in width when measured by w, ending in "…" ("..."
// for ASCII, which the fallback font surely has). Its cost is linear in the
// length of s: runes are measured one at a time, and only a prefix that
// fits is measured whole.
func shorten(w func(string) vg.Length, s string, width vg.Length) string {
	if w(s) <= width {
		return s
	}
	ell := "…"
	if isASCII(s) {
		ell = "..."
	}
	room := width - w(ell)
	r := []rune(s)
	n, sum := 0, vg.Length(0)
	for ; n < len(r); n++ {
		if sum += w(string(r[n])); sum > room {
			break
		}
	}
	for n > 1 && w(string(r[:n])+ell) > width { // kerning: the whole may be wider
		n--
	}
	return string(r[:max(n, 1)]) + ell
}

// isASCII reports whether s is printable ASCII only.
func isASCII(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r > 0x7e })
}

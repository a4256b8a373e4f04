// Command report turns the rows the bench scripts append to
// bench/out/results.csv (bench,row,peer,metric,value,unit; see bench/lib.sh)
// into one self-contained HTML page of charts drawn with gonum/plot: a bar
// chart per bench and metric with the peers of each row side by side, and a
// line plot per scaling curve (rows KEY=NUMBER). With -svg DIR it also
// writes each chart as DIR/BENCH-METRIC.svg (or .png with -format png),
// the set the README shows.
//
//	go run ./bench/report [-in bench/out/results.csv] [-html bench/out/report.html] [-img DIR [-format png]]
package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

func main() {
	in := flag.String("in", "bench/out/results.csv", "the rows the bench scripts appended")
	out := flag.String("html", "bench/out/report.html", "the HTML report to write")
	imgDir := flag.String("img", "", "also write each chart as an image file in this directory")
	format := flag.String("format", "svg", "the -img files' format: svg or png")
	flag.Parse()
	if err := run(*in, *out, *imgDir, *format); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(in, out, imgDir, format string) error {
	if format != "svg" && format != "png" {
		return fmt.Errorf("-format %q: want svg or png", format)
	}
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := parse(f)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	charts := res.charts()
	if len(charts) == 0 {
		return fmt.Errorf("%s: no results", in)
	}
	page, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := writeHTML(page, res, charts); err != nil {
		page.Close()
		return err
	}
	if err := page.Close(); err != nil {
		return err
	}
	if imgDir != "" {
		if err := os.MkdirAll(imgDir, 0o755); err != nil {
			return err
		}
		for _, c := range charts {
			img, err := c.render(format)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(imgDir, c.file(format)), img, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// key names one figure: a bench's row, peer and metric.
type key struct{ bench, row, peer, metric string }

// results holds the rows of a results file in the order they first came.
type results struct {
	notes  []string // the comment lines (when and where it ran)
	keys   []key
	values map[key][]float64
	units  map[[2]string]string // bench, metric -> unit
}

// parse reads bench,row,peer,metric,value,unit rows; lines starting with
// # are notes.
func parse(r io.Reader) (*results, error) {
	res := &results{values: map[key][]float64{}, units: map[[2]string]string{}}
	var notes bytes.Buffer
	cr := csv.NewReader(io.TeeReader(r, &notes))
	cr.Comment = '#'
	cr.FieldsPerRecord = 6
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		v, err := strconv.ParseFloat(rec[4], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("line %d: value %q is not a number", line, rec[4])
		}
		k := key{rec[0], rec[1], rec[2], rec[3]}
		if _, ok := res.values[k]; !ok {
			res.keys = append(res.keys, k)
		}
		res.values[k] = append(res.values[k], v)
		um := [2]string{k.bench, k.metric}
		if u, ok := res.units[um]; ok && u != rec[5] {
			return nil, fmt.Errorf("line %d: %s %q in %s and in %s", line, k.bench, k.metric, u, rec[5])
		}
		res.units[um] = rec[5]
	}
	for l := range strings.SplitSeq(notes.String(), "\n") {
		if n, ok := strings.CutPrefix(l, "#"); ok {
			res.notes = append(res.notes, strings.TrimSpace(n))
		}
	}
	return res, nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// chart is one bench and metric: rows by peers, each the median of its
// rounds (NaN where a peer has no figure for a row).
type chart struct {
	bench, metric, unit string
	rows, peers         []string
	v                   [][]float64 // [row][peer]
	n                   [][]int     // rounds behind each figure
	curve               string      // KEY when every row is KEY=NUMBER
	x                   []float64   // NUMBER of each row, for a curve
}

var curveRow = regexp.MustCompile(`^([^=]+)=([0-9.eE+-]+)$`)

func (r *results) charts() []*chart {
	var out []*chart
	byName := map[[2]string]*chart{}
	for _, k := range r.keys {
		name := [2]string{k.bench, k.metric}
		c := byName[name]
		if c == nil {
			c = &chart{bench: k.bench, metric: k.metric, unit: r.units[name]}
			byName[name] = c
			out = append(out, c)
		}
		if !slices.Contains(c.rows, k.row) {
			c.rows = append(c.rows, k.row)
		}
		if !slices.Contains(c.peers, k.peer) {
			c.peers = append(c.peers, k.peer)
		}
	}
	for _, c := range out {
		c.v = make([][]float64, len(c.rows))
		c.n = make([][]int, len(c.rows))
		for i, row := range c.rows {
			c.v[i] = make([]float64, len(c.peers))
			c.n[i] = make([]int, len(c.peers))
			for j, peer := range c.peers {
				vs := r.values[key{c.bench, row, peer, c.metric}]
				c.v[i][j], c.n[i][j] = math.NaN(), len(vs)
				if len(vs) > 0 {
					c.v[i][j] = median(vs)
				}
			}
		}
		c.detectCurve()
	}
	return out
}

// detectCurve makes c a scaling curve when it has at least two rows and
// every row is KEY=NUMBER with one KEY; the rows are put in NUMBER order.
func (c *chart) detectCurve() {
	if len(c.rows) < 2 {
		return
	}
	var k string
	x := make([]float64, len(c.rows))
	for i, row := range c.rows {
		m := curveRow.FindStringSubmatch(row)
		if m == nil || (k != "" && m[1] != k) {
			return
		}
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil || v <= 0 {
			return
		}
		k, x[i] = m[1], v
	}
	idx := make([]int, len(c.rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	rows, v, n, xs := make([]string, len(idx)), make([][]float64, len(idx)), make([][]int, len(idx)), make([]float64, len(idx))
	for i, j := range idx {
		rows[i], v[i], n[i], xs[i] = c.rows[j], c.v[j], c.n[j], x[j]
	}
	c.rows, c.v, c.n, c.x, c.curve = rows, v, n, xs, k
}

func (c *chart) title() string { return c.bench + ": " + c.metric }

// yLabel is the metric and its unit; a curve's metric without its
// " against X" (the x axis says that).
func (c *chart) yLabel() string {
	m := c.metric
	if c.curve != "" {
		m, _, _ = strings.Cut(m, " against ")
	}
	if c.unit == "" {
		return m
	}
	return m + " (" + c.unit + ")"
}

var unsafeName = regexp.MustCompile(`[^a-z0-9]+`)

// file is the chart's image file name: BENCH-METRIC.FORMAT, lower case.
func (c *chart) file(format string) string {
	s := unsafeName.ReplaceAllString(strings.ToLower(c.bench+"-"+c.metric), "-")
	return strings.Trim(s, "-") + "." + format
}

// plot draws c: a line per peer for a curve, grouped bars otherwise.
func (c *chart) plot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = c.title()
	p.Y.Label.Text = c.yLabel()
	p.Legend.Top, p.Legend.XOffs = true, -vg.Millimeter
	lo, hi := c.span()
	if c.curve != "" {
		p.X.Label.Text = c.curve
		p.Legend.Left, p.Legend.XOffs = true, vg.Millimeter
		if c.x[len(c.x)-1]/c.x[0] >= 100 {
			p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
		}
		// Costs that grow with the work span decades: log-log then.
		logY := lo > 0 && hi/lo >= 100
		for j, peer := range c.peers {
			var xys plotter.XYs
			for i := range c.rows {
				if !math.IsNaN(c.v[i][j]) {
					xys = append(xys, plotter.XY{X: c.x[i], Y: c.v[i][j]})
				}
			}
			if len(xys) == 0 {
				continue
			}
			l, s, err := plotter.NewLinePoints(xys)
			if err != nil {
				return nil, err
			}
			l.Color, s.Color = plotutil.Color(j), plotutil.Color(j)
			l.Dashes, s.Shape = plotutil.Dashes(j), plotutil.Shape(j)
			p.Add(l, s)
			p.Legend.Add(peer, l, s)
		}
		if logY {
			p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
			p.Y.Min, p.Y.Max = lo/2, hi*8 // room for the legend
		} else {
			p.Y.Min, p.Y.Max = 0, hi*1.3
		}
		return p, nil
	}
	w := vg.Points(math.Max(4, math.Min(20, 60/float64(len(c.peers)))))
	for j, peer := range c.peers {
		vs := make(plotter.Values, len(c.rows))
		for i := range c.rows {
			vs[i] = c.v[i][j]
			if math.IsNaN(vs[i]) {
				vs[i] = 0
			}
		}
		b, err := plotter.NewBarChart(vs, w)
		if err != nil {
			return nil, err
		}
		b.LineStyle.Width = 0
		b.Color = plotutil.Color(j)
		b.Offset = vg.Length(float64(j)-float64(len(c.peers)-1)/2) * w
		p.Add(b)
		p.Legend.Add(peer, b)
	}
	p.NominalX(c.rows...)
	p.X.Min, p.X.Max = -0.6, float64(len(c.rows))-0.4
	p.Y.Min, p.Y.Max = 0, hi*(1.15+0.1*float64(len(c.peers))) // room for the legend
	return p, nil
}

// span is the least and the greatest figure of c (NaNs aside).
func (c *chart) span() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, r := range c.v {
		for _, v := range r {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if hi <= 0 || math.IsInf(hi, -1) {
		hi = 1
	}
	return lo, hi
}

// size is the drawing's width and height: wider for many bars.
func (c *chart) size() (vg.Length, vg.Length) {
	w := 5 * vg.Inch
	if c.curve == "" {
		// Room for each row's label: about 0.075 inch a character.
		long := 0
		for _, r := range c.rows {
			long = max(long, len(r))
		}
		per := max(1.6, 0.075*float64(long)+0.2)
		if need := vg.Length(float64(len(c.rows))*per) * vg.Inch; need > w {
			w = need
		}
	}
	return w, 3.2 * vg.Inch
}

// render draws c as svg or png.
func (c *chart) render(format string) ([]byte, error) {
	p, err := c.plot()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.title(), err)
	}
	w, h := c.size()
	wt, err := p.WriterTo(w, h, format)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// number prints v with at most four significant digits past the point.
func number(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case math.Abs(v) >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	default:
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
}

func writeHTML(w io.Writer, res *results, charts []*chart) error {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>sockcore bench report</title>\n")
	b.WriteString("<style>body{font-family:sans-serif;max-width:70em;margin:1em auto}table{border-collapse:collapse;margin-bottom:2em}" +
		"td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}svg{max-width:100%;height:auto}</style></head><body>\n")
	b.WriteString("<h1>sockcore bench report</h1>\n")
	for _, n := range res.notes {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(n))
	}
	b.WriteString("<p>Each figure is the median of the rounds its bench script recorded (n). The ratio column is each peer against the first.</p>\n")
	bench := ""
	for _, c := range charts {
		if c.bench != bench {
			bench = c.bench
			fmt.Fprintf(&b, "<h2>%s</h2>\n", html.EscapeString(bench))
		}
		svg, err := c.render("svg")
		if err != nil {
			return err
		}
		// Inline: drop the XML declaration in front of <svg.
		if i := bytes.Index(svg, []byte("<svg")); i > 0 {
			svg = svg[i:]
		}
		fmt.Fprintf(&b, "<h3>%s</h3>\n<div>", html.EscapeString(c.yLabel()))
		b.Write(svg)
		b.WriteString("</div>\n<table><tr><th>row</th>")
		for _, p := range c.peers {
			fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(p))
		}
		for _, p := range c.peers[1:] {
			fmt.Fprintf(&b, "<th>%s / %s</th>", html.EscapeString(c.peers[0]), html.EscapeString(p))
		}
		b.WriteString("</tr>\n")
		for i, row := range c.rows {
			fmt.Fprintf(&b, "<tr><td>%s</td>", html.EscapeString(row))
			for j := range c.peers {
				fmt.Fprintf(&b, "<td>%s (n=%d)</td>", number(c.v[i][j]), c.n[i][j])
			}
			for j := range c.peers[1:] {
				fmt.Fprintf(&b, "<td>%s</td>", number(c.v[i][0]/c.v[i][j+1]))
			}
			b.WriteString("</tr>\n")
		}
		b.WriteString("</table>\n")
	}
	b.WriteString("</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Command plot draws BenchmarkCurve's figures as an SVG image: requests per
// second and p99 latency against concurrency, one line per storage.
//
//	go run ./plot -in curves.txt -out curves.svg
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// point is one sub-benchmark's figures at one concurrency.
type point struct {
	c             int
	rps, p50, p99 float64
}

var line = regexp.MustCompile(`^BenchmarkCurve/(\w+)/users=(\d+)/c=(\d+)(-\d+)?\s+\d+\s+(.*)$`)

// parse reads the curves (the users=max runs) of go test -bench output,
// keyed by storage in the order first seen.
func parse(r io.Reader) ([]string, map[string][]point, string, error) {
	curves := map[string][]point{}
	var order []string
	users := 0
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		u, _ := strconv.Atoi(m[2])
		c, _ := strconv.Atoi(m[3])
		if u == 1 && c == 1 {
			continue // the one-token lookup, not part of a curve
		}
		users = max(users, u)
		p := point{c: c}
		f := strings.Fields(m[5])
		for i := 0; i+1 < len(f); i += 2 {
			v, _ := strconv.ParseFloat(f[i], 64)
			switch f[i+1] {
			case "req/s":
				p.rps = v
			case "p50-ns":
				p.p50 = v
			case "p99-ns":
				p.p99 = v
			}
		}
		if _, ok := curves[m[1]]; !ok {
			order = append(order, m[1])
		}
		curves[m[1]] = append(curves[m[1]], p)
	}
	return order, curves, strconv.Itoa(users), sc.Err()
}

var colours = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"}

// panel draws one log-log chart of f(point) against concurrency at x0.
func panel(w io.Writer, x0 float64, title, unit string, order []string, curves map[string][]point, f func(point) float64) {
	const pw, ph, top, left = 380.0, 260.0, 50.0, 60.0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, k := range order {
		for _, p := range curves[k] {
			if v := f(p); v > 0 {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	ylo, yhi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if yhi == ylo {
		yhi++
	}
	xs := func(c int) float64 { return x0 + left + math.Log10(float64(c))/3*pw }
	ys := func(v float64) float64 { return top + ph - (math.Log10(v)-ylo)/(yhi-ylo)*ph }
	fmt.Fprintf(w, `<text x="%.0f" y="30" font-size="15" font-weight="bold">%s</text>`+"\n", x0+left, title)
	fmt.Fprintf(w, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="none" stroke="#444"/>`+"\n", x0+left, top, pw, ph)
	for _, c := range []int{1, 10, 100, 1000} {
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#ddd"/><text x="%.1f" y="%.0f" font-size="11" text-anchor="middle">%d</text>`+"\n",
			xs(c), top, xs(c), top+ph, xs(c), top+ph+15, c)
	}
	fmt.Fprintf(w, `<text x="%.0f" y="%.0f" font-size="12" text-anchor="middle">concurrent requests</text>`+"\n", x0+left+pw/2, top+ph+32)
	for e := ylo; e <= yhi; e++ {
		y := top + ph - (e-ylo)/(yhi-ylo)*ph
		fmt.Fprintf(w, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#ddd"/><text x="%.0f" y="%.1f" font-size="11" text-anchor="end">%s</text>`+"\n",
			x0+left, y, x0+left+pw, y, x0+left-5, y+4, human(math.Pow(10, e), unit))
	}
	for i, k := range order {
		pts := slices.Clone(curves[k])
		slices.SortFunc(pts, func(a, b point) int { return a.c - b.c })
		var b strings.Builder
		for _, p := range pts {
			if v := f(p); v > 0 {
				fmt.Fprintf(&b, "%.1f,%.1f ", xs(p.c), ys(v))
			}
		}
		col := colours[i%len(colours)]
		fmt.Fprintf(w, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", b.String(), col)
		fmt.Fprintf(w, `<rect x="%.0f" y="%.0f" width="12" height="3" fill="%s"/><text x="%.0f" y="%.0f" font-size="11">%s</text>`+"\n",
			x0+left+pw+10, top+10+float64(i)*16, col, x0+left+pw+26, top+14+float64(i)*16, k)
	}
}

// human formats v with unit ("req/s" or "ns", shown as µs or ms).
func human(v float64, unit string) string {
	if unit == "ns" {
		switch {
		case v >= 1e6:
			return fmt.Sprintf("%gms", v/1e6)
		case v >= 1e3:
			return fmt.Sprintf("%gµs", v/1e3)
		}
		return fmt.Sprintf("%gns", v)
	}
	if v >= 1e3 {
		return fmt.Sprintf("%gk", v/1e3)
	}
	return fmt.Sprintf("%g", v)
}

func main() {
	in := flag.String("in", "curves.txt", "go test -bench output with BenchmarkCurve lines")
	out := flag.String("out", "curves.svg", "SVG file to write")
	flag.Parse()
	f, err := os.Open(*in)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	order, curves, users, err := parse(f)
	if err != nil {
		log.Fatal(err)
	}
	if len(order) == 0 {
		log.Fatalf("%s: no BenchmarkCurve lines", *in)
	}
	var b strings.Builder
	fmt.Fprintln(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="1060" height="360" font-family="sans-serif">`)
	fmt.Fprintln(&b, `<rect width="100%" height="100%" fill="white"/>`)
	panel(&b, 0, "requests/s, "+users+" users' tokens stored", "req/s", order, curves, func(p point) float64 { return p.rps })
	panel(&b, 530, "p99 latency of one request", "ns", order, curves, func(p point) float64 { return p.p99 })
	fmt.Fprintln(&b, `</svg>`)
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
}

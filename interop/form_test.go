package interop

import (
	"strings"

	"golang.org/x/net/html"
)

// htmlForm is what a browser needs of a form to submit it.
type htmlForm struct {
	action string
	hidden map[string][]string
}

// firstForm parses page and returns its first form: the action (empty:
// the page's own URL) and the hidden inputs' names and values.
func firstForm(page string) (htmlForm, bool) {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return htmlForm{}, false
	}
	var form *html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		if form != nil {
			return
		}
		if n.Type == html.ElementNode && n.Data == "form" {
			form = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if form == nil {
		return htmlForm{}, false
	}
	f := htmlForm{action: attr(form, "action"), hidden: map[string][]string{}}
	var inputs func(n *html.Node)
	inputs = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" && strings.EqualFold(attr(n, "type"), "hidden") {
			f.hidden[attr(n, "name")] = append(f.hidden[attr(n, "name")], attr(n, "value"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			inputs(c)
		}
	}
	inputs(form)
	return f, true
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

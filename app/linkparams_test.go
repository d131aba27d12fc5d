package main

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestLinkParams(t *testing.T) {
	type read struct {
		Eps255, N int
		Embed     bool
		Panel     string
	}
	def := read{64, 784, false, ""}
	for _, c := range []struct {
		query   string
		want    read
		bad     []string
		garbled bool // the notice says part of the link is not valid URL encoding
	}{
		{"", def, nil, false},
		{"eps=0.1&n=30&embed=1&panel=dim", read{26, 30, true, "dim"}, nil, false},
		{"utm_source=x&n=30", read{64, 30, false, ""}, nil, false},
		// Missing values, and invalid ones, keep their defaults.
		{"eps=&n=&embed=", def, []string{"eps", "n", "embed"}, false},
		{"eps=NaN&n=-1&embed=yes&panel=%3Cscript%3E", def, []string{"eps", "n", "embed", "panel"}, false},
		{"eps=Infinity&n=1e3", def, []string{"eps", "n"}, false},
		{"eps=-0.1&n=٣", def, []string{"eps", "n"}, false},
		{"n=" + strings.Repeat("9", 5000), def, []string{"n"}, false},
		// Repeated: named, even when both values are fine.
		{"eps=0.1&eps=0.1&embed=1", read{64, 784, true, ""}, []string{"eps"}, false},
		// Not valid URL encoding: that parameter is named, the others stand
		// (url.ParseQuery drops the pair without a word).
		{"eps=%zz&n=30&embed=1", read{64, 30, true, ""}, []string{"eps"}, true},
		{"%zz=1&n=30&embed=1", read{64, 30, true, ""}, nil, true},
		{"n=30&other=%zz", read{64, 30, false, ""}, nil, true},
		{"n=3%", read{64, 784, false, ""}, []string{"n"}, true},
		// Browsers split only on "&": "a=1;b=2" is one pair.
		{"n=30;embed=1", def, []string{"n"}, false},
		{"eps=0.1&&n=30&", read{26, 30, false, ""}, nil, false},
		{"eps=0%2E1&n=3%30", read{26, 30, false, ""}, nil, false},
	} {
		q := parseLink(c.query)
		got := read{q.eps255("eps", 64), q.intIn("n", 1, 3072, 784), q.flag("embed", false), q.choice("panel", linearPanels, "")}
		if got != c.want || !slices.Equal(q.bad, c.bad) {
			t.Errorf("%.60q: read %+v, named %v; want %+v, %v", c.query, got, q.bad, c.want, c.bad)
		}
		notice := strings.Join(q.notices(), " ")
		if garbled := strings.Contains(notice, "not valid URL encoding"); garbled != c.garbled {
			t.Errorf("%.60q: the notice %q; want it to say the encoding is broken: %v", c.query, notice, c.garbled)
		}
		if (len(c.bad) == 0 && !c.garbled) != (notice == "") {
			t.Errorf("%.60q: the notice is %q", c.query, notice)
		}
	}
}

// TestOneLinkBehaviour sends the same hostile values to the lab, /train
// and the explanation pages: each keeps its default, names the parameter,
// still reads the rest of the link, and never repeats the value.
func TestOneLinkBehaviour(t *testing.T) {
	readers := map[string]func(*linkParams) (eps255 int, embed bool){
		"lab": func(q *linkParams) (int, bool) { s := parseSettings(q); return s.Eps255, s.Embed },
		"train": func(q *linkParams) (int, bool) {
			s := parseTrainSpec(q)
			return s.Eps255, s.Embed
		},
		"linear": func(q *linkParams) (int, bool) {
			p := newLinearPage()
			p.parse(q)
			return p.eps255, p.embed
		},
		"rubbish": func(q *linkParams) (int, bool) {
			p := newRubbishPage()
			p.parse(q)
			return p.teps255, p.embed
		},
	}
	hostile := []string{"%zz", "NaN", "Infinity", "-Infinity", "-0.1", "0.6", "1e308", "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
		"%E2%80%AE0.1", "０.１", strings.Repeat("0", 200) + "1", "0.1&eps=0.2"}
	for name, read := range readers {
		for _, v := range hostile {
			q := parseLink("embed=1&eps=" + v)
			eps, embed := read(q)
			notice := strings.Join(q.notices(), " ")
			if eps != 64 || !embed || !slices.Equal(q.bad, []string{"eps"}) {
				t.Errorf("%s, eps=%.40s: ε %d/255, embed %v, named %v; want the default 64, embed, eps named", name, v, eps, embed, q.bad)
			}
			if strings.ContainsAny(notice, "<>") || (len(v) > 2 && strings.Contains(notice, v[:3])) {
				t.Errorf("%s, eps=%.40s: the notice repeats the value: %q", name, v, notice)
			}
		}
	}
}

func TestRepairedAddress(t *testing.T) {
	for in, want := range map[string]string{
		"http://h/linear?embed=1#%zz":        "http://h/linear?embed=1#%25zz",
		"http://h/a%zz/?eps=%zz#x%4":         "http://h/a%25zz/?eps=%zz#x%254",
		"http://h/?eps=0.1#%41%":             "http://h/?eps=0.1#%41%25",
		"http://h/linear?n=3#ok":             "http://h/linear?n=3#ok",
		"http://h/%E2%88%9E?x=%zz&y=%%#%%41": "http://h/%E2%88%9E?x=%zz&y=%%#%25%41",
	} {
		got := repairedAddress(in)
		if got != want {
			t.Errorf("repairedAddress(%q) = %q, want %q", in, got, want)
		}
		if _, err := url.Parse(got); err != nil {
			t.Errorf("repairedAddress(%q) = %q, which url.Parse refuses: %v", in, got, err)
		}
	}
}

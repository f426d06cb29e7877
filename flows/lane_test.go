package flows

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// Every notice kind declared in this package has a row in laneTable, so
// that its lane is a decision, not the default. Adding a kind? Add a row.
func TestEveryNoticeKindHasALane(t *testing.T) {
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range pkgs["flows"].Files {
		ast.Inspect(f, func(node ast.Node) bool {
			v, ok := node.(*ast.ValueSpec)
			if !ok || v.Type == nil || len(v.Values) != 1 {
				return true
			}
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "NoticeKind" {
				return true
			}
			lit, ok := v.Values[0].(*ast.BasicLit)
			if !ok {
				return true
			}
			kind, _ := strconv.Unquote(lit.Value)
			n++
			if _, ok := laneTable[kind]; !ok {
				t.Errorf("notice kind %q (%s) has no row in laneTable (flows/lane.go)", kind, v.Names[0].Name)
			}
			return true
		})
	}
	if n < 50 {
		t.Fatalf("found only %d notice kinds", n)
	}
}

// The lanes of a few kinds, the reason refinement and the default.
func TestLaneOf(t *testing.T) {
	for _, c := range []struct {
		n     Notice
		want  Lane
		merge bool
	}{
		{Notice{Kind: NoticeNewRequest, RequestID: 1}, LaneInteractive, false},
		{Notice{Kind: NoticeRequestAck, RequestID: 1}, LaneInteractive, false},
		{Notice{Kind: NoticeCadreReply, RequestID: 1}, LaneInteractive, false},
		{Notice{Kind: NoticeDeadlineSet, RequestID: 1}, LaneLifecycle, false},
		{Notice{Kind: NoticeVerdictAsk, RequestID: 1}, LaneLifecycle, false},
		{Notice{Kind: NoticeReminder, RequestID: 1}, LaneBulk, true},
		{Notice{Kind: NoticeEscalation, RequestID: 1, Args: map[string]string{"reason": "no_response"}}, LaneBulk, true},
		{Notice{Kind: NoticeEscalation, RequestID: 1, Args: map[string]string{"reason": "unreachable"}}, LaneInteractive, false},
		{Notice{Kind: NoticeDigest}, LaneBulk, false},
		{Notice{Kind: "made_up_later", RequestID: 1}, DefaultLane, false},
		{Notice{Kind: NoticeReminder, RequestID: 1, Copy: &CopyRef{}}, LaneBulk, false},
	} {
		if got := LaneOf(c.n); got != c.want {
			t.Errorf("LaneOf(%s %v) = %s, want %s", c.n.Kind, c.n.Args, got, c.want)
		}
		if got := Mergeable(c.n); got != c.merge {
			t.Errorf("Mergeable(%s %v) = %v, want %v", c.n.Kind, c.n.Args, got, c.merge)
		}
	}
}

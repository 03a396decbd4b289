package texttable

import "testing"

func TestFormat(t *testing.T) {
	got := Format([][]string{{"KIND", "ARN"}, {"load balancer", "arn:1"}, {"sg", "arn:22"}})
	want := "KIND           ARN\nload balancer  arn:1\nsg             arn:22\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

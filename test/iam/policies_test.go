package iam

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// mutation breaks one rule the way a careless edit of docs/github-actions would; the checks must
// then fail, which proves they can.
type mutation struct {
	name  string
	apply func(s *setup)
}

// statements returns the statements of the first inline policy of role.
func statements(s *setup, role string) []any {
	return s.Roles[role].Policies[0].(map[string]any)["Statement"].([]any)
}

func statement(s *setup, role, sid string) map[string]any {
	for _, st := range statements(s, role) {
		if m := st.(map[string]any); m["Sid"] == sid {
			return m
		}
	}
	panic("no statement " + sid + " in " + role + "'s policy: update the mutation")
}

func trustCondition(s *setup, role string) map[string]any {
	st := s.Roles[role].Trust.(map[string]any)["Statement"].([]any)[0].(map[string]any)
	return st["Condition"].(map[string]any)
}

var mutations = []mutation{
	{"the prod deploy policy loses an action the prod plan needs (wafv2:UpdateWebACL)", func(s *setup) {
		st := statement(s, deployRole("prod"), "WebACL")
		st["Action"] = slices.DeleteFunc(toStrings(st["Action"]), func(a string) bool { return a == "wafv2:UpdateWebACL" })
	}},
	{`the prod deploy policy allows Action "*"`, func(s *setup) {
		p := s.Roles[deployRole("prod")].Policies[0].(map[string]any)
		p["Statement"] = append(p["Statement"].([]any), map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"})
	}},
	{"iam:AttachRolePolicy loses its iam:PolicyARN condition", func(s *setup) {
		delete(statement(s, deployRole("prod"), "AttachOnlyOwnPoliciesToBoundedOwnRoles")["Condition"].(map[string]any), "ArnLike")
	}},
	{"the demo deploy role is allowed a prod resource", func(s *setup) {
		p := s.Roles[deployRole("demo")].Policies[0].(map[string]any)
		p["Statement"] = append(p["Statement"].([]any), map[string]any{
			"Effect": "Allow", "Action": "wafv2:*", "Resource": "arn:aws:wafv2:*:" + account + ":regional/webacl/retail-api-edge-prod/*"})
	}},
	{"iam:CreateRole loses its boundary condition", func(s *setup) {
		delete(statement(s, deployRole("prod"), "CreateRolesOnlyWithTheBoundary"), "Condition")
	}},
	{"the deploy policy's explicit denies are gone and it may change any role", func(s *setup) {
		p := s.Roles[deployRole("prod")].Policies[0].(map[string]any)
		p["Statement"] = slices.DeleteFunc(p["Statement"].([]any), func(st any) bool { return st.(map[string]any)["Effect"] == "Deny" })
		statement(s, deployRole("prod"), "ChangeOnlyBoundedOwnRoles")["Resource"] = "*"
	}},
	{"the boundary allows IAM", func(s *setup) {
		st := s.Policies[boundaryName].(map[string]any)["Statement"].([]any)[0].(map[string]any)
		st["Action"] = append(toStrings(st["Action"]), "iam:*")
	}},
	{"the demo deploy trust no longer names the workflows", func(s *setup) {
		delete(trustCondition(s, deployRole("demo"))["StringEquals"].(map[string]any), "token.actions.githubusercontent.com:job_workflow_ref")
	}},
	{"the preview trust takes every job of the repository", func(s *setup) {
		c := trustCondition(s, previewRole("demo"))
		delete(c["StringEquals"].(map[string]any), "token.actions.githubusercontent.com:sub")
		c["StringLike"] = map[string]any{"token.actions.githubusercontent.com:sub": "repo:" + repo + ":*"}
	}},
	{"the prod deploy policy tags an existing topic on create (Null on aws:ResourceTag/stack gone)", func(s *setup) {
		delete(statement(s, deployRole("prod"), "AlarmTopicCreate")["Condition"].(map[string]any), "Null")
	}},
	{"the prod deploy policy loses its deny of IAM users and groups", func(s *setup) {
		p := s.Roles[deployRole("prod")].Policies[0].(map[string]any)
		p["Statement"] = slices.DeleteFunc(p["Statement"].([]any), func(st any) bool { return st.(map[string]any)["Sid"] == "NoUsersOrGroups" })
	}},
	{"the demo deploy policy loses its deny of sts:AssumeRole", func(s *setup) {
		p := s.Roles[deployRole("demo")].Policies[0].(map[string]any)
		p["Statement"] = slices.DeleteFunc(p["Statement"].([]any), func(st any) bool { return st.(map[string]any)["Sid"] == "NoAssumingAnyRole" })
	}},
	{"the demo preview role reads every stack's state", func(s *setup) {
		st := statement(s, previewRole("demo"), "ThisStacksState")
		st["Resource"] = "arn:aws:s3:::" + stateBucket + "/.pulumi/stacks/*"
	}},
}

func toStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// clone deep-copies a set-up through JSON, so a mutation changes only its own copy.
func (s *setup) clone() *setup {
	data, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	var c setup
	if err := json.Unmarshal(data, &c); err != nil {
		panic(err)
	}
	return &c
}

// evaluation runs several sets of checks in one evaluator process, each distinct request once.
type evaluation struct {
	reqs  []request
	index map[string]int
}

func (e *evaluation) add(cs []check) []int {
	if e.index == nil {
		e.index = map[string]int{}
	}
	ids := make([]int, len(cs))
	for i, c := range cs {
		key, _ := json.Marshal(c.req)
		id, ok := e.index[string(key)]
		if !ok {
			id = len(e.reqs)
			e.index[string(key)] = id
			e.reqs = append(e.reqs, c.req)
		}
		ids[i] = id
	}
	return ids
}

// wrong lists the checks whose verdict is not the one they want.
func wrong(cs []check, ids []int, vs []verdict) []string {
	var out []string
	for i, c := range cs {
		v := vs[ids[i]]
		switch {
		case v.Error != "":
			out = append(out, fmt.Sprintf("%s: %s: the evaluator refused the request (%s %s): %s", c.group, c.what, c.req.Action, c.req.Resource, v.Error))
		case (v.Result == "Allowed") != c.allow:
			want := "allowed"
			if !c.allow {
				want = "denied"
			}
			out = append(out, fmt.Sprintf("%s: %s: %s on %s is %s, want %s", c.group, c.what, c.req.Action, c.req.Resource, v.Result, want))
		}
	}
	return out
}

// TestPolicies evaluates docs/github-actions.md's roles and policies against every request the
// stack files' plans make and every request they must refuse, then each mutation of them, which
// must fail at least one check.
func TestPolicies(t *testing.T) {
	f := loadFixture(t)
	base, problems := checks(f)
	for _, p := range problems {
		t.Error(p)
	}
	if t.Failed() {
		return
	}
	var e evaluation
	baseIDs := e.add(base)
	type mutated struct {
		m   mutation
		cs  []check
		ids []int
	}
	var ms []mutated
	for _, m := range mutations {
		mf := *f
		mf.setup = f.setup.clone()
		m.apply(mf.setup)
		cs, _ := checks(&mf)
		ms = append(ms, mutated{m, cs, e.add(cs)})
	}
	vs := simulate(t, e.reqs)

	groups := map[string][]string{}
	var order []string
	for i, c := range base {
		if _, ok := groups[c.group]; !ok {
			order = append(order, c.group)
		}
		groups[c.group] = append(groups[c.group], wrong(base[i:i+1], baseIDs[i:i+1], vs)...)
	}
	for _, g := range order {
		t.Run(g, func(t *testing.T) {
			for _, w := range groups[g] {
				t.Error(w)
			}
		})
	}
	t.Logf("%d checks, %d distinct requests with the mutations", len(base), len(e.reqs))
	failing := map[string]bool{}
	for _, w := range wrong(base, baseIDs, vs) {
		failing[w] = true
	}
	for _, m := range ms {
		t.Run("mutation/"+m.m.name, func(t *testing.T) {
			caught := slices.DeleteFunc(wrong(m.cs, m.ids, vs), func(w string) bool { return failing[w] })
			if len(caught) == 0 {
				t.Fatalf("no check failed with this mutation: the checks cannot tell it from the real policies")
			}
			t.Logf("caught by %d checks, e.g. %s", len(caught), strings.SplitN(caught[0], "\n", 2)[0])
		})
	}
}

package awsstandin

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// This file stands in for CloudWatch's alarm evaluation, which cannot run here: given what the
// load balancers report (Metrics, made by the test from the cluster's state), it computes the state
// an alarm the program created would be in. It implements exactly the query forms the program uses,
// with CloudWatch's documented semantics, and refuses any other:
//   - a metric query: the series with that namespace, name and exact dimensions, reduced per period
//     with the statistic (Sum, Minimum, Maximum, Average);
//   - a Metrics Insights query SELECT MIN|MAX|SUM|AVG(metric) FROM SCHEMA("ns", dim, ...) WHERE dim
//     = 'value': every series of that namespace and metric with exactly the schema's dimensions and
//     the value, combined per minute ("Metrics Insights query components and syntax");
//   - metric math with + - * /, numbers, parentheses and FILL(id, number) over the other queries
//     ("Using metric math"); a point missing from an operand is missing from the result;
//   - evaluation over the last evaluationPeriods points, datapointsToAlarm of which must breach,
//     with treatMissingData breaching, notBreaching, ignore or missing ("Configuring how CloudWatch
//     alarms treat missing data").

// Series names one metric stream.
type Series struct {
	Namespace, Metric string
	Dimensions        map[string]string
}

// Datapoints is a series' values, one per minute, oldest first; NaN is a minute with no
// datapoint. A series that is not in Metrics at all reports nothing.
type Datapoints struct {
	Series
	Values []float64
}

// Metrics is everything the load balancers report.
type Metrics []Datapoints

// Missing is a minute without a datapoint.
var Missing = math.NaN()

// AlarmState is "ALARM", "OK" or "INSUFFICIENT_DATA" for an alarm's inputs (its ledger props).
func AlarmState(alarm map[string]any, m Metrics) (string, error) {
	values, err := alarmSeries(alarm, m)
	if err != nil {
		return "", err
	}
	periods := int(num(alarm, "evaluationPeriods"))
	need := periods
	if n, ok := alarm["datapointsToAlarm"].(float64); ok {
		need = int(n)
	}
	if periods < 1 || len(values) < periods {
		return "", fmt.Errorf("cloudwatch stand-in: %d points for %d evaluation periods", len(values), periods)
	}
	threshold := num(alarm, "threshold")
	op := str(alarm, "comparisonOperator")
	treat := str(alarm, "treatMissingData")
	if treat == "" {
		treat = "missing" // CloudWatch's default
	}
	breaching, present := 0, 0
	for _, v := range values[len(values)-periods:] {
		if math.IsNaN(v) {
			switch treat {
			case "breaching":
				breaching++
				present++
			case "notBreaching":
				present++
			}
			continue
		}
		present++
		if breaches(op, v, threshold) {
			breaching++
		}
	}
	switch {
	case breaching >= need:
		return "ALARM", nil
	case present == 0:
		return "INSUFFICIENT_DATA", nil
	}
	return "OK", nil
}

func breaches(op string, v, threshold float64) bool {
	switch op {
	case "GreaterThanThreshold":
		return v > threshold
	case "GreaterThanOrEqualToThreshold":
		return v >= threshold
	case "LessThanThreshold":
		return v < threshold
	case "LessThanOrEqualToThreshold":
		return v <= threshold
	}
	return false
}

// alarmSeries is the per-period series the alarm compares: its one query that returns data.
func alarmSeries(alarm map[string]any, m Metrics) ([]float64, error) {
	queries := map[string]map[string]any{}
	var returned string
	for _, q := range list(alarm, "metricQueries") {
		query := asMap(q)
		queries[str(query, "id")] = query
		if query["returnData"] == true {
			returned = str(query, "id")
		}
	}
	if returned == "" {
		return nil, fmt.Errorf("cloudwatch stand-in: the alarm has no query that returns data")
	}
	e := &evaluator{queries: queries, metrics: m, done: map[string][]float64{}}
	return e.query(returned)
}

type evaluator struct {
	queries map[string]map[string]any
	metrics Metrics
	done    map[string][]float64
}

func (e *evaluator) query(id string) ([]float64, error) {
	if v, ok := e.done[id]; ok {
		return v, nil
	}
	q, ok := e.queries[id]
	if !ok {
		return nil, fmt.Errorf("cloudwatch stand-in: no query %q", id)
	}
	var out []float64
	var err error
	switch expr := str(q, "expression"); {
	case q["metric"] != nil:
		out, err = e.metric(obj(q, "metric"))
	case strings.HasPrefix(expr, "SELECT"):
		out, err = e.insights(expr)
	default:
		out, err = e.math(expr)
	}
	e.done[id] = out
	return out, err
}

// metric reduces one series per period with its statistic.
func (e *evaluator) metric(spec map[string]any) ([]float64, error) {
	dims := map[string]string{}
	for k, v := range obj(spec, "dimensions") {
		dims[k], _ = v.(string)
	}
	minutes := int(num(spec, "period")) / 60
	if minutes < 1 {
		return nil, fmt.Errorf("cloudwatch stand-in: period %v is not whole minutes", spec["period"])
	}
	var series []float64
	for _, d := range e.metrics {
		if d.Namespace == str(spec, "namespace") && d.Metric == str(spec, "metricName") && maps.Equal(d.Dimensions, dims) {
			series = d.Values
		}
	}
	if series == nil {
		series = e.absent()
	}
	var out []float64
	for end := len(series); end-minutes >= 0; end -= minutes {
		v, err := reduce(str(spec, "stat"), series[end-minutes:end])
		if err != nil {
			return nil, err
		}
		out = append([]float64{v}, out...)
	}
	return out, nil
}

var insightsRe = regexp.MustCompile(`^SELECT (MIN|MAX|SUM|AVG)\((\w+)\) FROM SCHEMA\("([^"]+)", ([\w, ]+)\) WHERE (\w+) = '([^']*)'$`)

// insights runs a Metrics Insights query per minute over every matching series.
func (e *evaluator) insights(expr string) ([]float64, error) {
	m := insightsRe.FindStringSubmatch(expr)
	if m == nil {
		return nil, fmt.Errorf("cloudwatch stand-in: unsupported Metrics Insights query %q", expr)
	}
	fn, metric, namespace := m[1], m[2], m[3]
	schema := strings.Split(strings.ReplaceAll(m[4], " ", ""), ",")
	slices.Sort(schema)
	var matched [][]float64
	for _, d := range e.metrics {
		keys := slices.Sorted(maps.Keys(d.Dimensions))
		if d.Namespace == namespace && d.Metric == metric && slices.Equal(keys, schema) && d.Dimensions[m[5]] == m[6] {
			matched = append(matched, d.Values)
		}
	}
	out := e.absent()
	for i := range out {
		var at []float64
		for _, s := range matched {
			if i < len(s) && !math.IsNaN(s[i]) {
				at = append(at, s[i])
			}
		}
		if len(at) > 0 {
			v, err := reduce(map[string]string{"MIN": "Minimum", "MAX": "Maximum", "SUM": "Sum", "AVG": "Average"}[fn], at)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
	}
	return out, nil
}

// absent is a series of no datapoints, as long as the longest one in Metrics.
func (e *evaluator) absent() []float64 {
	n := 0
	for _, d := range e.metrics {
		n = max(n, len(d.Values))
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = Missing
	}
	return out
}

// reduce is a statistic over the datapoints present; none gives a missing point.
func reduce(stat string, values []float64) (float64, error) {
	var present []float64
	for _, v := range values {
		if !math.IsNaN(v) {
			present = append(present, v)
		}
	}
	if len(present) == 0 {
		return Missing, nil
	}
	switch stat {
	case "Sum", "Average":
		sum := 0.0
		for _, v := range present {
			sum += v
		}
		if stat == "Average" {
			return sum / float64(len(present)), nil
		}
		return sum, nil
	case "Minimum":
		return slices.Min(present), nil
	case "Maximum":
		return slices.Max(present), nil
	}
	return 0, fmt.Errorf("cloudwatch stand-in: unsupported statistic %q", stat)
}

// math evaluates a metric math expression point by point.
func (e *evaluator) math(expr string) ([]float64, error) {
	p := &parser{src: expr, e: e}
	out, err := p.sum()
	if err == nil && p.peek() != 0 {
		err = fmt.Errorf("cloudwatch stand-in: unexpected %q in %q", string(p.peek()), expr)
	}
	return out, err
}

// parser is a recursive-descent parser of the metric math the alarms use.
type parser struct {
	src string
	pos int
	e   *evaluator
}

func (p *parser) peek() byte {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
	if p.pos == len(p.src) {
		return 0
	}
	return p.src[p.pos]
}

func (p *parser) sum() ([]float64, error) {
	left, err := p.product()
	for err == nil && (p.peek() == '+' || p.peek() == '-') {
		op := p.src[p.pos]
		p.pos++
		var right []float64
		if right, err = p.product(); err == nil {
			left = combine(left, right, op)
		}
	}
	return left, err
}

func (p *parser) product() ([]float64, error) {
	left, err := p.term()
	for err == nil && (p.peek() == '*' || p.peek() == '/') {
		op := p.src[p.pos]
		p.pos++
		var right []float64
		if right, err = p.term(); err == nil {
			left = combine(left, right, op)
		}
	}
	return left, err
}

func (p *parser) term() ([]float64, error) {
	switch c := p.peek(); {
	case c == '(':
		p.pos++
		v, err := p.sum()
		if err == nil && p.peek() != ')' {
			err = fmt.Errorf("cloudwatch stand-in: missing ) in %q", p.src)
		}
		p.pos++
		return v, err
	case c >= '0' && c <= '9':
		n, err := strconv.ParseFloat(p.word(), 64)
		return p.constant(n), err
	}
	name := p.word()
	if name != "FILL" {
		return p.e.query(name)
	}
	if p.peek() != '(' {
		return nil, fmt.Errorf("cloudwatch stand-in: FILL needs arguments in %q", p.src)
	}
	p.pos++
	series, err := p.e.query(p.word())
	if err != nil {
		return nil, err
	}
	if p.peek() != ',' {
		return nil, fmt.Errorf("cloudwatch stand-in: FILL needs a value in %q", p.src)
	}
	p.pos++
	fill, err := strconv.ParseFloat(p.word(), 64)
	if p.peek() != ')' {
		return nil, fmt.Errorf("cloudwatch stand-in: missing ) in %q", p.src)
	}
	p.pos++
	out := slices.Clone(series)
	for i, v := range out {
		if math.IsNaN(v) {
			out[i] = fill
		}
	}
	return out, err
}

func (p *parser) word() string {
	p.peek()
	start := p.pos
	for p.pos < len(p.src) && (unicode.IsLetter(rune(p.src[p.pos])) || unicode.IsDigit(rune(p.src[p.pos])) || p.src[p.pos] == '.' || p.src[p.pos] == '_') {
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *parser) constant(n float64) []float64 {
	out := p.e.absent()
	for i := range out {
		out[i] = n
	}
	return out
}

// combine applies op point by point; a missing operand (or a division by zero) gives a missing point.
func combine(a, b []float64, op byte) []float64 {
	n := min(len(a), len(b))
	out := make([]float64, n)
	for i := range n {
		x, y := a[len(a)-n+i], b[len(b)-n+i]
		switch op {
		case '+':
			out[i] = x + y
		case '-':
			out[i] = x - y
		case '*':
			out[i] = x * y
		case '/':
			out[i] = x / y
			if y == 0 {
				out[i] = Missing
			}
		}
	}
	return out
}

func num(m map[string]any, k string) float64 {
	f, _ := m[k].(float64)
	return f
}

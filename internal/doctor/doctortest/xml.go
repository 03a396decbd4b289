package doctortest

import (
	"encoding/xml"
	"slices"
	"strconv"
)

// The XML shapes below are the services' response members, named as in their API references
// (ELBv2 2015-12-01, ELB 2012-06-01: <member> lists; EC2 2016-11-15: <item> lists, lower camel case).

type xLBs struct {
	XMLName       xml.Name `xml:"r"`
	LoadBalancers []xLB    `xml:"LoadBalancers>member"`
}

type xLB struct {
	LoadBalancerArn, LoadBalancerName, DNSName, Type, Scheme string
	VpcID                                                    string `xml:"VpcId"`
	State                                                    struct{ Code string }
	SecurityGroups                                           []string `xml:"SecurityGroups>member"`
}

func (a *Account) elbv2LoadBalancers() xLBs {
	var out xLBs
	for _, l := range a.LoadBalancers {
		x := xLB{LoadBalancerArn: l.ARN, LoadBalancerName: l.Name, DNSName: l.DNSName, VpcID: l.VpcID, Type: l.Type,
			Scheme: "internet-facing", SecurityGroups: l.SecurityGroups}
		x.State.Code = l.State
		out.LoadBalancers = append(out.LoadBalancers, x)
	}
	return out
}

type xTGs struct {
	XMLName      xml.Name `xml:"r"`
	TargetGroups []xTG    `xml:"TargetGroups>member"`
}

type xTG struct {
	TargetGroupArn, TargetGroupName, Protocol, TargetType string
	Port                                                  int
	HealthCheckProtocol, HealthCheckPath, HealthCheckPort string
	Matcher                                               struct {
		HTTPCode string `xml:"HttpCode"`
	}
	LoadBalancerArns []string `xml:"LoadBalancerArns>member"`
}

func (a *Account) targetGroups(lb string) xTGs {
	var out xTGs
	for _, g := range a.TargetGroups {
		if g.LoadBalancerARN != lb {
			continue
		}
		x := xTG{TargetGroupArn: g.ARN, TargetGroupName: g.Name, Protocol: "HTTP", TargetType: g.TargetType, Port: g.Port,
			HealthCheckProtocol: g.HealthCheckProtocol, HealthCheckPath: g.HealthCheckPath, HealthCheckPort: g.HealthCheckPort,
			LoadBalancerArns: []string{lb}}
		x.Matcher.HTTPCode = g.Matcher
		out.TargetGroups = append(out.TargetGroups, x)
	}
	return out
}

type xHealth struct {
	XMLName      xml.Name  `xml:"r"`
	Descriptions []xTarget `xml:"TargetHealthDescriptions>member"`
}

type xTarget struct {
	Target struct {
		ID   string `xml:"Id"`
		Port int
	}
	TargetHealth struct{ State, Reason, Description string }
}

func (a *Account) targetHealth(tg string) xHealth {
	var out xHealth
	for _, g := range a.TargetGroups {
		if g.ARN != tg {
			continue
		}
		for _, t := range g.Targets {
			var x xTarget
			x.Target.ID, x.Target.Port = t.ID, t.Port
			x.TargetHealth.State, x.TargetHealth.Reason, x.TargetHealth.Description = t.State, t.Reason, t.Description
			out.Descriptions = append(out.Descriptions, x)
		}
	}
	return out
}

type xListeners struct {
	XMLName   xml.Name    `xml:"r"`
	Listeners []xListener `xml:"Listeners>member"`
}

type xListener struct {
	ListenerArn, LoadBalancerArn, Protocol string
	Port                                   int
	Certificates                           []struct{ CertificateArn string } `xml:"Certificates>member"`
}

func (a *Account) listeners(lb string) xListeners {
	var out xListeners
	for _, l := range a.Listeners {
		if l.LoadBalancerARN != lb {
			continue
		}
		x := xListener{ListenerArn: l.ARN, LoadBalancerArn: lb, Protocol: l.Protocol, Port: l.Port}
		for _, c := range l.Certificates {
			x.Certificates = append(x.Certificates, struct{ CertificateArn string }{c})
		}
		out.Listeners = append(out.Listeners, x)
	}
	return out
}

type xClassics struct {
	XMLName       xml.Name   `xml:"r"`
	LoadBalancers []xClassic `xml:"LoadBalancerDescriptions>member"`
}

type xClassic struct {
	LoadBalancerName, DNSName, VPCId string
	SecurityGroups                   []string `xml:"SecurityGroups>member"`
	HealthCheck                      struct{ Target string }
}

func (a *Account) classicLoadBalancers() xClassics {
	var out xClassics
	for _, c := range a.Classic {
		x := xClassic{LoadBalancerName: c.Name, DNSName: c.DNSName, VPCId: c.VpcID, SecurityGroups: c.SecurityGroups}
		x.HealthCheck.Target = c.HealthCheck
		out.LoadBalancers = append(out.LoadBalancers, x)
	}
	return out
}

type xInstanceHealth struct {
	XMLName xml.Name    `xml:"r"`
	States  []xInstance `xml:"InstanceStates>member"`
}

type xInstance struct {
	InstanceID                     string `xml:"InstanceId"`
	State, ReasonCode, Description string
}

func (a *Account) instanceHealth(name string) xInstanceHealth {
	var out xInstanceHealth
	for _, c := range a.Classic {
		if c.Name == name {
			for _, i := range c.Instances {
				out.States = append(out.States, xInstance{i.ID, i.State, i.ReasonCode, i.Description})
			}
		}
	}
	return out
}

type xENI struct {
	XMLName            xml.Name `xml:"item"`
	NetworkInterfaceID string   `xml:"networkInterfaceId"`
	PrivateIPAddress   string   `xml:"privateIpAddress"`
	InstanceID         string   `xml:"attachment>instanceId,omitempty"`
	Groups             []xGroup `xml:"groupSet>item"`
}

type xGroup struct {
	GroupID string `xml:"groupId"`
}

func (a *Account) interfaces(f map[string][]string) any {
	var out struct {
		XMLName xml.Name `xml:"r"`
		Set     []xENI   `xml:"networkInterfaceSet>item"`
	}
	for _, e := range a.Interfaces {
		if ips, ok := f["addresses.private-ip-address"]; ok && !slices.Contains(ips, e.PrivateIP) {
			continue
		}
		vpc := e.VpcID
		if vpc == "" {
			vpc = VPC
		}
		if vpcs, ok := f["vpc-id"]; ok && !slices.Contains(vpcs, vpc) {
			continue
		}
		if ids, ok := f["attachment.instance-id"]; ok && !slices.Contains(ids, e.InstanceID) {
			continue
		}
		if idx, ok := f["attachment.device-index"]; ok && !slices.Contains(idx, strconv.Itoa(e.DeviceIndex)) {
			continue
		}
		x := xENI{NetworkInterfaceID: e.ID, PrivateIPAddress: e.PrivateIP, InstanceID: e.InstanceID}
		for _, g := range e.Groups {
			x.Groups = append(x.Groups, xGroup{g})
		}
		out.Set = append(out.Set, x)
	}
	return out
}

type xSG struct {
	GroupID     string  `xml:"groupId"`
	GroupName   string  `xml:"groupName"`
	Permissions []xPerm `xml:"ipPermissions>item"`
	Tags        []xTag  `xml:"tagSet>item"`
}

type xPerm struct {
	IPProtocol string   `xml:"ipProtocol"`
	FromPort   int      `xml:"fromPort"`
	ToPort     int      `xml:"toPort"`
	Groups     []xGroup `xml:"groups>item"`
	Ranges     []struct {
		CidrIP string `xml:"cidrIp"`
	} `xml:"ipRanges>item"`
}

func (a *Account) securityGroups(ids []string) any {
	var out struct {
		XMLName xml.Name `xml:"r"`
		Set     []xSG    `xml:"securityGroupInfo>item"`
	}
	for _, g := range a.SecurityGroups {
		if !slices.Contains(ids, g.ID) {
			continue
		}
		x := xSG{GroupID: g.ID, GroupName: g.ID}
		for _, k := range sortedKeys(g.Tags) {
			x.Tags = append(x.Tags, xTag{k, g.Tags[k]})
		}
		for _, r := range g.Rules {
			p := xPerm{IPProtocol: r.Protocol, FromPort: r.FromPort, ToPort: r.ToPort}
			for _, from := range r.FromGroups {
				p.Groups = append(p.Groups, xGroup{from})
			}
			for _, c := range r.FromCIDRs {
				p.Ranges = append(p.Ranges, struct {
					CidrIP string `xml:"cidrIp"`
				}{c})
			}
			x.Permissions = append(x.Permissions, p)
		}
		out.Set = append(out.Set, x)
	}
	return out
}

type xSubnet struct {
	SubnetID                string `xml:"subnetId"`
	VpcID                   string `xml:"vpcId"`
	AvailabilityZone        string `xml:"availabilityZone"`
	AvailableIPAddressCount int    `xml:"availableIpAddressCount"`
	Tags                    []xTag `xml:"tagSet>item"`
}

type xTag struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

func (a *Account) subnets(ids []string, f map[string][]string) any {
	var out struct {
		XMLName xml.Name  `xml:"r"`
		Set     []xSubnet `xml:"subnetSet>item"`
	}
	for _, s := range a.Subnets {
		if !matchesSubnet(s, ids, f) {
			continue
		}
		x := xSubnet{SubnetID: s.ID, VpcID: s.VpcID, AvailabilityZone: s.Zone, AvailableIPAddressCount: s.FreeIPs}
		for _, k := range sortedKeys(s.Tags) {
			x.Tags = append(x.Tags, xTag{k, s.Tags[k]})
		}
		out.Set = append(out.Set, x)
	}
	return out
}

func matchesSubnet(s Subnet, ids []string, f map[string][]string) bool {
	if len(ids) > 0 && !slices.Contains(ids, s.ID) {
		return false
	}
	for name, values := range f {
		switch {
		case name == "vpc-id":
			if !slices.Contains(values, s.VpcID) {
				return false
			}
		case len(name) > 4 && name[:4] == "tag:":
			v, ok := s.Tags[name[4:]]
			if !ok || !slices.Contains(values, v) {
				return false
			}
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

type xListenerCerts struct {
	XMLName      xml.Name `xml:"r"`
	Certificates []struct {
		CertificateArn string
		IsDefault      bool
	} `xml:"Certificates>member"`
}

// listenerCertificates lists a listener's certificates, its default first, as ELBv2 does.
func (a *Account) listenerCertificates(listener string) xListenerCerts {
	var out xListenerCerts
	for _, l := range a.Listeners {
		if l.ARN != listener {
			continue
		}
		for i, c := range l.Certificates {
			out.Certificates = append(out.Certificates, struct {
				CertificateArn string
				IsDefault      bool
			}{c, i == 0})
		}
	}
	return out
}

type xRoute struct {
	DestinationCidrBlock string `xml:"destinationCidrBlock"`
	GatewayID            string `xml:"gatewayId"`
}

type xAssociation struct {
	RouteTableAssociationID string `xml:"routeTableAssociationId"`
	Main                    bool   `xml:"main"`
	SubnetID                string `xml:"subnetId,omitempty"`
}

type xRouteTable struct {
	RouteTableID string         `xml:"routeTableId"`
	VpcID        string         `xml:"vpcId"`
	Routes       []xRoute       `xml:"routeSet>item"`
	Associations []xAssociation `xml:"associationSet>item"`
}

func (a *Account) routeTables(f map[string][]string) any {
	var out struct {
		XMLName xml.Name      `xml:"r"`
		Set     []xRouteTable `xml:"routeTableSet>item"`
	}
	for _, r := range a.RouteTables {
		if vpcs, ok := f["vpc-id"]; ok && !slices.Contains(vpcs, r.VpcID) {
			continue
		}
		x := xRouteTable{RouteTableID: r.ID, VpcID: r.VpcID, Routes: []xRoute{{DestinationCidrBlock: "10.0.0.0/16", GatewayID: "local"}}}
		if r.IGW {
			x.Routes = append(x.Routes, xRoute{DestinationCidrBlock: "0.0.0.0/0", GatewayID: "igw-0123"})
		}
		if r.Main {
			x.Associations = append(x.Associations, xAssociation{RouteTableAssociationID: r.ID + "-main", Main: true})
		}
		for _, sn := range r.Subnets {
			x.Associations = append(x.Associations, xAssociation{RouteTableAssociationID: r.ID + "-" + sn, SubnetID: sn})
		}
		out.Set = append(out.Set, x)
	}
	return out
}

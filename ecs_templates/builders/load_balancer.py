"""Load balancers, the only public entry points: an ALB for HTTP (80, 443 with a certificate), an NLB for TCP/UDP."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import Equals, If, Not, Ref, Sub, Template, ec2
from troposphere import elasticloadbalancingv2 as elb

from ecs_templates.builders.network import IngressRule, add_security_group
from ecs_templates.builders.suppressions import suppress
from ecs_templates.builders.template import add_condition, add_parameter
from ecs_templates.config.services import ACM_CERTIFICATE_ARN

LOAD_BALANCER_GROUP = "Load balancer"
HTTP_PORT, HTTPS_PORT = 80, 443
# TLS 1.2 and 1.3 only (the AWS recommended policy for new listeners).
SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
HAS_CERTIFICATE = "HasCertificate"

# checkov CKV_AWS_2 / CKV_AWS_103 want every listener on HTTPS; a certificate is a deploy-time choice.
HTTP_LISTENER_REASON = (
    "Port 80 serves the site over HTTP only while no CertificateArn is given (a first deployment often has no domain or "
    "certificate); with one, a listener rule redirects every HTTP request to the HTTPS listener, "
    "which uses the TLS 1.2/1.3 policy ELBSecurityPolicy-TLS13-1-2-2021-06.")
# checkov CKV_AWS_91 wants access logs, which need an S3 bucket and a bucket policy for the ELB account.
ACCESS_LOGS_REASON = (
    "Access logs need an S3 bucket whose policy admits the regional Elastic Load Balancing account; "
    "left out to keep the stack self-contained and cheap. The tasks' own logs go to CloudWatch Logs, "
    "and the load balancer's request metrics to CloudWatch.")


@dataclass(frozen=True)
class LoadBalancer:
    load_balancer: elb.LoadBalancer
    security_group: ec2.SecurityGroup
    has_certificate: str | None  # the condition name (application load balancers only)


@dataclass(frozen=True)
class MainListener:
    """Port 80, and 443 when a certificate is given (HTTP then redirects)."""

    http: elb.Listener
    https_title: str | None


def add_certificate_parameter(template: Template, default: str) -> tuple[Ref, str]:
    """An optional ACM certificate ARN and the condition `HasCertificate`."""
    parameter = add_parameter(
        template, "CertificateArn", group=LOAD_BALANCER_GROUP, label="ACM certificate ARN (optional)",
        Type="String", Default=default, AllowedPattern=f"^$|{ACM_CERTIFICATE_ARN}",
        ConstraintDescription="empty, or an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<id>",
        Description="Certificate of the site's domain in AWS Certificate Manager (same region). Given: an "
                    "HTTPS listener on 443, and HTTP redirects to it. Empty: HTTP on 80 only.")
    return Ref(parameter), add_condition(template, HAS_CERTIFICATE, Not(Equals(Ref(parameter), "")))


def add_deletion_protection_parameter(template: Template) -> Ref:
    parameter = add_parameter(
        template, "DeletionProtection", group=LOAD_BALANCER_GROUP, label="Deletion protection",
        Type="String", Default="false", AllowedValues=["false", "true"],
        Description="true: the load balancer (and an RDS database) refuse deletion until it is turned "
                    "off again; for production. The data itself is kept on stack deletion either way.")
    return Ref(parameter)


def add_application_load_balancer(template: Template, *, vpc: Any, subnets: Any, source_cidr: Any,
                                  ports: list[int], certificate_default: str = "",
                                  deletion_protection: Any = "false") -> LoadBalancer:
    """An internet-facing ALB whose security group opens `ports` (and 443 with a certificate) to `source_cidr`."""
    certificate, has_certificate = add_certificate_parameter(template, certificate_default)
    security_group = add_security_group(
        template, "LoadBalancerSecurityGroup", vpc=vpc,
        ingress=[IngressRule(port, f"Public entry point: HTTP {port} to the load balancer", source_cidr=source_cidr)
                 for port in sorted(set(ports))],
        description="Load balancer: HTTP (and HTTPS with a certificate) from the allowed range",
        egress_description="Outbound: to the tasks it forwards to (their own groups admit only it)")
    template.add_resource(ec2.SecurityGroupIngress(
        "LoadBalancerHttpsIngress",
        Condition=has_certificate,
        GroupId=Ref(security_group),
        IpProtocol="tcp", FromPort=HTTPS_PORT, ToPort=HTTPS_PORT, CidrIp=source_cidr,
        Description="Public entry point: HTTPS to the load balancer",
    ))
    load_balancer = template.add_resource(elb.LoadBalancer(
        "LoadBalancer",
        Type="application",
        Scheme="internet-facing",
        IpAddressType="ipv4",
        Subnets=subnets,
        SecurityGroups=[Ref(security_group)],
        LoadBalancerAttributes=[
            elb.LoadBalancerAttributes(Key="routing.http.drop_invalid_header_fields.enabled", Value="true"),
            elb.LoadBalancerAttributes(Key="deletion_protection.enabled", Value=deletion_protection),
        ],
        Tags=[ec2.Tag("Name", Sub("${AWS::StackName}-alb"))],
    ))
    suppress(load_balancer, "CKV_AWS_91", ACCESS_LOGS_REASON)
    return LoadBalancer(load_balancer, security_group, has_certificate)


def add_network_load_balancer(template: Template, *, vpc: Any, subnets: Any, source_cidr: Any,
                              ports: list[tuple[int, str]], deletion_protection: Any = "false") -> LoadBalancer:
    """An internet-facing NLB for public TCP and UDP ports; its security group opens exactly those.

    Network Load Balancers take security groups since August 2023; the tasks' groups then admit
    only this group: https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html
    """
    security_group = add_security_group(
        template, "NetworkLoadBalancerSecurityGroup", vpc=vpc,
        ingress=[IngressRule(port, f"Public entry point: {transport.upper()} {port} to the network load balancer",
                             source_cidr=source_cidr, protocol=transport)
                 for port, transport in sorted(set(ports))],
        description="Network load balancer: the public TCP and UDP ports from the allowed range",
        egress_description="Outbound: to the tasks it forwards to (their own groups admit only it)")
    load_balancer = template.add_resource(elb.LoadBalancer(
        "NetworkLoadBalancer",
        Type="network",
        Scheme="internet-facing",
        IpAddressType="ipv4",
        Subnets=subnets,
        SecurityGroups=[Ref(security_group)],
        LoadBalancerAttributes=[
            elb.LoadBalancerAttributes(Key="deletion_protection.enabled", Value=deletion_protection),
        ],
        Tags=[ec2.Tag("Name", Sub("${AWS::StackName}-nlb"))],
    ))
    suppress(load_balancer, "CKV_AWS_91", ACCESS_LOGS_REASON)
    return LoadBalancer(load_balancer, security_group, None)


def add_target_group(template: Template, name: str, *, vpc: Any, port: int, protocol: str,
                     health_check_path: str = "/", protocol_version: str = "HTTP1") -> elb.TargetGroup:
    """An `ip` target group (awsvpc tasks register their own address): HTTP with a path check, or TCP/UDP."""
    http = protocol == "HTTP"
    properties: dict[str, Any] = dict(
        VpcId=vpc, TargetType="ip", Protocol=protocol, Port=port, HealthCheckEnabled=True,
        HealthCheckIntervalSeconds=30, HealthyThresholdCount=2, UnhealthyThresholdCount=5 if http else 2,
        TargetGroupAttributes=[elb.TargetGroupAttribute(Key="deregistration_delay.timeout_seconds", Value="30")])
    if http:
        properties.update(
            ProtocolVersion=protocol_version, HealthCheckProtocol="HTTP", HealthCheckPath=health_check_path,
            HealthCheckTimeoutSeconds=10,
            # A fresh web application often answers / with a redirect to its installer: healthy too.
            Matcher=elb.Matcher(GrpcCode="0-99") if protocol_version == "GRPC" else elb.Matcher(HttpCode="200-399"))
    else:
        # UDP targets are checked over TCP on the same port (NLB health checks never use UDP).
        properties.update(HealthCheckProtocol="TCP")
    return template.add_resource(elb.TargetGroup(name, **properties))


def _forward(target_group: Any) -> list[elb.Action]:
    if target_group is None:
        return [elb.Action(Type="fixed-response", FixedResponseConfig=elb.FixedResponseConfig(
            StatusCode="404", ContentType="text/plain", MessageBody="no service answers this host or path"))]
    return [elb.Action(Type="forward", TargetGroupArn=Ref(target_group))]


def add_main_listener(template: Template, balancer: LoadBalancer, target_group: Any) -> MainListener:
    """HTTP 80 forwarding to `target_group` (or 404), HTTPS 443 with a certificate, and HTTP redirected then."""
    assert balancer.has_certificate is not None
    http_listener = template.add_resource(elb.Listener(
        "HttpListener", LoadBalancerArn=Ref(balancer.load_balancer), Port=HTTP_PORT, Protocol="HTTP",
        DefaultActions=_forward(target_group)))
    for check in ("CKV_AWS_2", "CKV_AWS_103"):
        suppress(http_listener, check, HTTP_LISTENER_REASON)
    certificate = template.parameters["CertificateArn"]
    template.add_resource(elb.Listener(
        "HttpsListener",
        Condition=balancer.has_certificate,
        LoadBalancerArn=Ref(balancer.load_balancer),
        Port=HTTPS_PORT,
        Protocol="HTTPS",
        SslPolicy=SSL_POLICY,
        Certificates=[elb.Certificate(CertificateArn=Ref(certificate))],
        DefaultActions=_forward(target_group),
    ))
    template.add_resource(elb.ListenerRule(
        "HttpToHttpsRule",
        Condition=balancer.has_certificate,
        ListenerArn=Ref(http_listener),
        Priority=1,
        Conditions=[elb.Condition(Field="path-pattern", PathPatternConfig=elb.PathPatternConfig(Values=["/*"]))],
        Actions=[elb.ListenerRuleAction(Type="redirect", RedirectConfig=elb.RedirectConfig(
            Protocol="HTTPS", Port=str(HTTPS_PORT), Host="#{host}", Path="/#{path}", Query="#{query}",
            StatusCode="HTTP_301"))],
    ))
    return MainListener(http_listener, "HttpsListener")


def add_routing_rules(template: Template, name: str, main: MainListener, balancer: LoadBalancer, *,
                      priority: int, target_group: elb.TargetGroup, host: str, path: str) -> None:
    """Requests for `host` and/or `path` go to `target_group`: on 80, and on 443 when a certificate is given."""
    conditions = []
    if host:
        conditions.append(elb.Condition(Field="host-header", HostHeaderConfig=elb.HostHeaderConfig(Values=[host])))
    if path:
        conditions.append(elb.Condition(Field="path-pattern", PathPatternConfig=elb.PathPatternConfig(Values=[path])))
    for suffix, listener, condition in (("Http", Ref(main.http), None),
                                        ("Https", Ref(main.https_title), balancer.has_certificate)):
        template.add_resource(elb.ListenerRule(
            f"{name}{suffix}Rule", ListenerArn=listener, Priority=priority, Conditions=conditions,
            Actions=[elb.ListenerRuleAction(Type="forward", TargetGroupArn=Ref(target_group))],
            **({"Condition": condition} if condition else {})))


def add_listener(template: Template, name: str, balancer: LoadBalancer, *, port: int, protocol: str,
                 target_group: elb.TargetGroup) -> elb.Listener:
    """One more listener: HTTP on another port of the ALB, or TCP/UDP on the NLB."""
    listener = template.add_resource(elb.Listener(
        name, LoadBalancerArn=Ref(balancer.load_balancer), Port=port, Protocol=protocol,
        DefaultActions=_forward(target_group)))
    if protocol == "HTTP":
        for check in ("CKV_AWS_2", "CKV_AWS_103"):
            suppress(listener, check, HTTP_LISTENER_REASON)
    return listener


def site_url(balancer: LoadBalancer, port: int = HTTP_PORT) -> Any:
    """https:// when a certificate is given (main listener), else http://, then the DNS name (and port)."""
    if port != HTTP_PORT or balancer.has_certificate is None:
        scheme = "http" if balancer.has_certificate is not None else "tcp"
        return Sub(f"{scheme}://${{{balancer.load_balancer.title}.DNSName}}:{port}")
    return If(balancer.has_certificate, Sub("https://${LoadBalancer.DNSName}"),
              Sub("http://${LoadBalancer.DNSName}"))

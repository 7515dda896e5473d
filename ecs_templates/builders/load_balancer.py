"""Application Load Balancer: the only public entry point, HTTP on 80 and HTTPS when a certificate is given."""
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
    "Port 80 serves the site over HTTP only while no CertificateArn is given (a lab has no domain or "
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
    target_group: elb.TargetGroup
    http_listener: elb.Listener
    has_certificate: str


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


def add_load_balancer(template: Template, *, vpc: Any, subnets: Any, source_cidr: Any, target_port: int,
                      health_check_path: str, certificate_default: str = "",
                      deletion_protection: Any = "false") -> LoadBalancer:
    """An internet-facing ALB forwarding to an `ip` target group (awsvpc tasks register their own address).

    Its security group opens 80 to `source_cidr`, and 443 only when a certificate is given.
    """
    certificate, has_certificate = add_certificate_parameter(template, certificate_default)
    security_group = add_security_group(
        template, "LoadBalancerSecurityGroup", vpc=vpc,
        ingress=[IngressRule(HTTP_PORT, "Public entry point: HTTP to the load balancer", source_cidr=source_cidr)],
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
    target_group = template.add_resource(elb.TargetGroup(
        "TargetGroup",
        VpcId=vpc,
        TargetType="ip",
        Protocol="HTTP",
        Port=target_port,
        HealthCheckEnabled=True,
        HealthCheckProtocol="HTTP",
        HealthCheckPath=health_check_path,
        HealthCheckIntervalSeconds=30,
        HealthCheckTimeoutSeconds=10,
        HealthyThresholdCount=2,
        UnhealthyThresholdCount=5,
        # A fresh WordPress answers / with a redirect to its installer: that is healthy too.
        Matcher=elb.Matcher(HttpCode="200-399"),
        TargetGroupAttributes=[
            elb.TargetGroupAttribute(Key="deregistration_delay.timeout_seconds", Value="30"),
        ],
    ))
    forward = [elb.Action(Type="forward", TargetGroupArn=Ref(target_group))]
    # HTTP always forwards, so the target group belongs to the load balancer before the service
    # starts; with a certificate a listener rule in front of it redirects everything to HTTPS.
    http_listener = template.add_resource(elb.Listener(
        "HttpListener",
        LoadBalancerArn=Ref(load_balancer),
        Port=HTTP_PORT,
        Protocol="HTTP",
        DefaultActions=forward,
    ))
    for check in ("CKV_AWS_2", "CKV_AWS_103"):
        suppress(http_listener, check, HTTP_LISTENER_REASON)
    suppress(load_balancer, "CKV_AWS_91", ACCESS_LOGS_REASON)
    template.add_resource(elb.Listener(
        "HttpsListener",
        Condition=has_certificate,
        LoadBalancerArn=Ref(load_balancer),
        Port=HTTPS_PORT,
        Protocol="HTTPS",
        SslPolicy=SSL_POLICY,
        Certificates=[elb.Certificate(CertificateArn=certificate)],
        DefaultActions=forward,
    ))
    template.add_resource(elb.ListenerRule(
        "HttpToHttpsRule",
        Condition=has_certificate,
        ListenerArn=Ref(http_listener),
        Priority=1,
        Conditions=[elb.Condition(Field="path-pattern", PathPatternConfig=elb.PathPatternConfig(Values=["/*"]))],
        Actions=[elb.ListenerRuleAction(Type="redirect", RedirectConfig=elb.RedirectConfig(
            Protocol="HTTPS", Port=str(HTTPS_PORT), Host="#{host}", Path="/#{path}", Query="#{query}",
            StatusCode="HTTP_301"))],
    ))
    return LoadBalancer(load_balancer, security_group, target_group, http_listener, has_certificate)


def site_url(balancer: LoadBalancer) -> Any:
    """https:// when a certificate is given, else http://, then the load balancer's DNS name."""
    return If(balancer.has_certificate, Sub("https://${LoadBalancer.DNSName}"),
              Sub("http://${LoadBalancer.DNSName}"))

"""Which resources fold into which box of the overview, read from types and references only.

The overview draws a few anchors: the internet, load balancers, instances that are an
entry point, one box per ECS service (its containers inside), and the databases and
file systems. Every other resource folds into the anchor it belongs to:

1. by family: listeners, rules and target groups into their load balancer, mount targets
   and access points into their file system, subnet groups into their database;
2. by reaching: what an anchor refers to, directly or through what it refers to (a
   service's task definition, roles, policies, secrets, log groups, security groups);
   references out of a security group name peers, not parts, and are not followed;
3. by being attached: what refers to an anchor or to a folded resource (a scaling
   target and its policies, an ingress rule of a folded security group).

Resources of the stack as a whole (the cluster, a namespace) and anything left over stay
out of the boxes and are listed by type.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Mapping

from ecs_templates.docs.template import Template, properties, references, resources

_FAMILIES = ("AWS::ElasticLoadBalancingV2::", "AWS::EFS::", "AWS::RDS::")
SHARED_TYPES = ("AWS::ECS::Cluster", "AWS::ECS::ClusterCapacityProviderAssociations",
                "AWS::ServiceDiscovery::PrivateDnsNamespace", "AWS::ServiceDiscovery::PublicDnsNamespace",
                "AWS::ServiceDiscovery::HttpNamespace")
_NOT_FOLLOWED_FROM = ("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress")
_NOUNS = {
    "AWS::IAM::Role": "IAM role", "AWS::IAM::Policy": "IAM policy", "AWS::IAM::ManagedPolicy": "IAM policy",
    "AWS::IAM::InstanceProfile": "instance profile", "AWS::SecretsManager::Secret": "secret",
    "AWS::Logs::LogGroup": "log group", "AWS::EC2::SecurityGroup": "security group",
    "AWS::EC2::SecurityGroupIngress": "ingress rule", "AWS::EC2::SecurityGroupEgress": "egress rule",
    "AWS::ApplicationAutoScaling::ScalableTarget": "scaling target",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "scaling policy", "AWS::ECS::TaskDefinition": "task definition",
    "AWS::ECS::CapacityProvider": "capacity provider", "AWS::ServiceDiscovery::Service": "discovery name",
    "AWS::ElasticLoadBalancingV2::Listener": "listener", "AWS::ElasticLoadBalancingV2::ListenerRule": "listener rule",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "target group", "AWS::EFS::MountTarget": "mount target",
    "AWS::EFS::AccessPoint": "access point", "AWS::RDS::DBSubnetGroup": "subnet group",
    "AWS::RDS::DBParameterGroup": "parameter group", "AWS::EC2::LaunchTemplate": "launch template",
    "AWS::KMS::Key": "KMS key", "AWS::KMS::Alias": "KMS alias", "AWS::ECS::Cluster": "ECS cluster",
    "AWS::ECS::ClusterCapacityProviderAssociations": "cluster capacity providers",
    "AWS::ServiceDiscovery::PrivateDnsNamespace": "private DNS namespace", "AWS::ECR::Repository": "ECR repository",
    "AWS::S3::Bucket": "S3 bucket", "AWS::S3::BucketPolicy": "bucket policy",
    "AWS::EFS::FileSystem": "EFS file system", "AWS::RDS::DBInstance": "RDS database",
    "AWS::RDS::DBCluster": "RDS cluster", "AWS::AutoScaling::AutoScalingGroup": "Auto Scaling group",
    "AWS::EC2::Instance": "EC2 instance", "AWS::ElasticLoadBalancingV2::LoadBalancer": "load balancer",
}


def noun(resource_type: str, count: int = 1) -> str:
    """A resource type in words: `IAM role`, `2 secrets`; an unlisted type by its last part."""
    word = _NOUNS.get(resource_type, resource_type.rsplit("::", 1)[-1])
    if count == 1:
        return word
    plural = word[:-1] + "ies" if word.endswith("y") and not word.endswith("ey") else word + "s"
    return f"{count} {plural}"


def summarize(template: Template, members: list[str]) -> str:
    """`2 IAM roles, 8 secrets, 1 log group`: the folded resources counted by type, three to a line."""
    counts = Counter(resources(template)[name].get("Type", "") for name in members)
    words = [noun(kind, count) if count > 1 else f"1 {noun(kind)}" for kind, count in sorted(counts.items())]
    return "\n".join(", ".join(words[start:start + 3]) for start in range(0, len(words), 3))


def _refs(resource: Mapping[str, Any]) -> list[str]:
    """The logical names a resource refers to (DependsOn excluded: an order, not a part)."""
    return list(dict.fromkeys(references(properties(resource))))


def _attachment(resource: Mapping[str, Any]) -> list[str]:
    """What a resource is attached to: an ingress or egress rule to its own group (its source
    group is a peer); a security group to nothing (its references name peers)."""
    kind = resource.get("Type")
    if kind == "AWS::EC2::SecurityGroup":
        return []
    if kind in _NOT_FOLLOWED_FROM:
        return list(references(properties(resource).get("GroupId")))
    return _refs(resource)


def fold(template: Template, anchors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Owner -> the resources folded into it, in logical-ID order; `anchors` maps each owner
    (in priority order) to its own resources, which fold nowhere else."""
    all_resources = resources(template)
    anchored = {name for names in anchors.values() for name in names}
    shared = {name for name, resource in all_resources.items() if resource.get("Type") in SHARED_TYPES}
    members: dict[str, set[str]] = {owner: set() for owner in anchors}
    owner_of = {name: owner for owner, names in reversed(list(anchors.items())) for name in names}

    def family(name: str) -> str | None:
        kind = all_resources[name].get("Type", "")
        return next((prefix for prefix in _FAMILIES if kind.startswith(prefix)), None)

    changed = True
    while changed:  # 1. by family, both ways along a reference
        changed = False
        for name in sorted(set(all_resources) - set(owner_of)):
            prefix = family(name)
            if prefix is None:
                continue
            linked = [other for other in _refs(all_resources[name]) if other in owner_of]
            linked += [other for other in sorted(owner_of) if name in _refs(all_resources[other])]
            same = [other for other in linked if family(other) == prefix]
            if same:
                owner_of[name] = owner_of[same[0]]
                members[owner_of[name]].add(name)
                changed = True
    for owner, names in anchors.items():  # 2. by reaching
        queue = [ref for name in [*names, *sorted(members[owner])] for ref in _refs(all_resources[name])]
        while queue:
            name = queue.pop(0)
            if name not in all_resources or name in anchored or name in shared or name in members[owner]:
                continue
            if owner_of.get(name, owner) != owner and family(name) is not None:
                continue  # folded by family into another anchor
            members[owner].add(name)
            owner_of.setdefault(name, owner)
            if all_resources[name].get("Type") not in _NOT_FOLLOWED_FROM:
                queue.extend(_refs(all_resources[name]))
    patient = True
    while True:  # 3. by being attached; first those whose attachments are all placed
        pending = set(all_resources) - set(owner_of) - shared
        placed = False
        for name in sorted(pending):
            attached = _attachment(all_resources[name])
            owners = [owner_of[ref] for ref in attached if ref in owner_of]
            if owners and not (patient and pending & (set(attached) - {name})):
                # the most specific owner: services come last among the anchors
                owner_of[name] = max(owners, key=list(anchors).index)
                members[owner_of[name]].add(name)
                placed = True
        if not placed and not patient:
            break
        patient = placed
    return {owner: sorted(names - anchored) for owner, names in members.items()}


def left_over(template: Template, folded: Mapping[str, list[str]], anchors: Mapping[str, list[str]]) -> list[str]:
    placed = {name for names in folded.values() for name in names} | {n for names in anchors.values() for n in names}
    return sorted(set(resources(template)) - placed)

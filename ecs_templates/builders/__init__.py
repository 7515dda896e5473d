"""Builders: plain functions, one AWS area each, that add resources to a troposphere Template.

Each is `add_<thing>(template, config, *, dependencies) -> resource`: dependencies are
keyword-only, and the resource is returned so callers can Ref / GetAtt it.
"""

"""Importers: read another tool's description of an application into plain config data.

They produce the data `ecs-templates build --config` reads and nothing else; the
config loader validates it like any hand-written file.
"""

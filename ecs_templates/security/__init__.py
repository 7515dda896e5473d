"""Security of the finished templates: an independent scanner (checkov) and checks it cannot know.

Like the documentation, this reads finished templates (plain dicts or files), never builders.
"""

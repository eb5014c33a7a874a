"""The local cloud: template.yaml on this machine, no Docker, no AWS account (ARCHITECTURE §5)."""

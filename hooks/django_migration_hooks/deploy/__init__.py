"""Readers for the files that run commands on deploy, build, release, container start or in CI."""

# syntax=docker/dockerfile:1.4
FROM ubuntu:24.04
RUN <<EOT bash
  set -ex
  apt-get update
  apt-get install -y --no-install-recommends vim
  rm -rf /var/lib/apt/lists/*
EOT
COPY <<-"EOT" /etc/profile.d/prompt.sh
	export PS1='\u@\h:\w\$ '
	EOT
USER ubuntu

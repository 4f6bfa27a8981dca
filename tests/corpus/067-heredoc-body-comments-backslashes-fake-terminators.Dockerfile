FROM alpine
RUN <<EOF
# this is not a Dockerfile comment
echo a \
  b
  EOF
EOF 
	EOF
EOFX
eof
EOF
RUN echo after

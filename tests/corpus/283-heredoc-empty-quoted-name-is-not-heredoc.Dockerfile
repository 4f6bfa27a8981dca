FROM alpine
RUN <<''
RUN <<""
COPY <<'' <<EOF /dst
b
EOF

FROM alpine
RUN <<EOF
echo line one
echo line two
EOF
RUN echo after

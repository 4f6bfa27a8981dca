FROM alpine
ONBUILD RUN <<EOF
echo triggered
EOF
RUN echo after

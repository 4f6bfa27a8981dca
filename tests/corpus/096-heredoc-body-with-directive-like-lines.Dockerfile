FROM alpine
RUN <<EOF
# escape=`
# syntax=foo
EOF
RUN echo still \
    backslash

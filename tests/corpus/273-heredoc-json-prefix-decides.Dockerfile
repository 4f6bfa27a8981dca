FROM alpine
RUN ["a"] <<EOF
COPY ["a", "b"] <<EOF
RUN [bash] <<EOF
body
EOF

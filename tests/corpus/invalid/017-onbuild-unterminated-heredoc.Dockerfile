FROM alpine
ONBUILD RUN <<EOF
echo

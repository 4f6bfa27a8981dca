# escape=`
FROM alpine
ONBUILD RUN <<EOF
echo `
EOF
ONBUILD CMD ["C:\\a"]
RUN echo a `
  b

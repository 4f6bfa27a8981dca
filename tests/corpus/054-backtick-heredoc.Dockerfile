# escape=`
FROM alpine
RUN <<EOF
echo `
echo C:\path\
EOF
RUN echo after

FROM alpine
RUN <<$EOF
echo body
$EOF

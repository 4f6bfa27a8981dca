FROM alpine
RUN <<EOF
echo 'héllo wörld 🐳 日本語'
EOF

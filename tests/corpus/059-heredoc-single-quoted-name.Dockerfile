FROM alpine
RUN <<'EOF'
echo '$HOME' "$PATH"
EOF

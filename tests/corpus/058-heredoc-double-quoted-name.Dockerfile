FROM alpine
RUN <<"EOF"
echo $HOME is not expanded
EOF

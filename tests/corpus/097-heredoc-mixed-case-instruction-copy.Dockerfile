FROM alpine
Copy <<EOF /x
x
EOF
aDd <<EOF /y
y
EOF

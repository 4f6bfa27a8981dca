FROM python:3.12-slim
RUN 3<<EOF python3 /dev/fd/3
print('hello from fd 3')
EOF

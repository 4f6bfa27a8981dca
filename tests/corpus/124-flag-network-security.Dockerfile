FROM alpine
RUN --network=host wget -q http://localhost:8080/
RUN --network=none --security=insecure ./privileged-task

FROM alpine
RUN --mount=type=secret,id=aws,target=/root/.aws/credentials aws s3 ls
RUN --mount=type=ssh,id=default git clone git@github.com:org/repo.git
RUN --mount=type=tmpfs,target=/tmp,size=100m ls /tmp

FROM alpine
LABEL maintainer someone@example.com
LABEL description a long description here

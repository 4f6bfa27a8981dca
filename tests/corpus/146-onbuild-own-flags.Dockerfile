FROM alpine
ONBUILD --x RUN y

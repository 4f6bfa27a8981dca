FROM alpine
RUN ---x y
RUN --=x y

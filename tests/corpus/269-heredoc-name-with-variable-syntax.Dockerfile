FROM alpine
RUN <<${X:-EOF}
x
${X:-EOF}

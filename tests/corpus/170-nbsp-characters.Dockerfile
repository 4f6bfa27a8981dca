FROM alpine
RUN echo nbsp at end 
RUN echo keyword glued by nbsp
ENV A=b C=d

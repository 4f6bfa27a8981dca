   
	
FROM alpine
 	 
RUN true
        

-- Run once by the postgres image on first start (mounted into /docker-entrypoint-initdb.d/).
-- One database per process; each process migrates only its own (`gongkai migrate <process>`).
-- The owner is the POSTGRES_USER the container was started with (gongkai in docker-compose.yml).
CREATE DATABASE gongkai_gateway;
CREATE DATABASE gongkai_catalog;
CREATE DATABASE gongkai_requests;
CREATE DATABASE gongkai_feedback;

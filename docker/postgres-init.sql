-- Run once by the postgres image when its data volume is new (docker-entrypoint-initdb.d).
-- The server's own login: no superuser, owns nothing. modelgraph grants it what it needs after each
-- migration (read and write the registry, only insert into and read the audit trail).
CREATE ROLE modelgraph_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'modelgraph_app';

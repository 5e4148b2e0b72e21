#!/usr/bin/env bash
# docker-compose.yml's kafka: renders the KAFKA_* environment into server.properties as the apache/kafka image does
# (KAFKA_FOO_BAR=x is foo.bar=x, "__" is "_", "___" is "-"), adds the listeners' logins for the admin, formats the
# storage once with the admin's SCRAM credential and starts the broker. Only /opt/kafka/bin is relied on, not the
# image's own start scripts. The other principals' credentials and the ACLs are set by kafka-setup (setup.sh), as
# the admin. SCRAM_ADMIN_PASSWORD: letters, digits, "-" and "_" only (it goes into JAAS and SCRAM syntax).
set -euo pipefail
umask 077
conf=/tmp/server.properties
login_scram="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"${SCRAM_ADMIN_PASSWORD}\";"
login_plain="org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"${SCRAM_ADMIN_PASSWORD}\" user_admin=\"${SCRAM_ADMIN_PASSWORD}\";"
{
  while IFS='=' read -r name value; do
    case "$name" in KAFKA_OPTS|KAFKA_HEAP_OPTS|KAFKA_JVM_PERFORMANCE_OPTS|KAFKA_GC_LOG_OPTS|KAFKA_LOG4J_OPTS|KAFKA_JMX_OPTS) continue ;; esac
    key=$(printf '%s' "${name#KAFKA_}" | tr '[:upper:]' '[:lower:]' | sed -e 's/___/-/g' -e 's/__/@/g' -e 's/_/./g' -e 's/@/_/g')
    printf '%s=%s\n' "$key" "$value"
  done < <(env | grep '^KAFKA_')
  printf 'listener.name.client.scram-sha-512.sasl.jaas.config=%s\n' "$login_scram"
  printf 'listener.name.controller.plain.sasl.jaas.config=%s\n' "$login_plain"
} > "$conf"
# The health check connects as the admin too.
printf '%s\n' "security.protocol=SASL_PLAINTEXT" "sasl.mechanism=SCRAM-SHA-512" "sasl.jaas.config=$login_scram" \
  > /tmp/admin.properties
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "$CLUSTER_ID" -c "$conf" \
  --add-scram "SCRAM-SHA-512=[name=admin,password=${SCRAM_ADMIN_PASSWORD}]"
exec /opt/kafka/bin/kafka-server-start.sh "$conf"

#!/usr/bin/env bash
# Generated from shared/platform/kafka_acl.py (`python -m tools.kafka_acls > deploy/kafka/setup.sh`); do not
# edit: tests/tools/test_deploy_files.py checks it. docker-compose.yml's kafka-setup runs it as the admin.
set -euo pipefail
umask 077
cat > /tmp/admin.properties <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${SCRAM_ADMIN_PASSWORD}";
EOF
/opt/kafka/bin/kafka-configs.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --alter --entity-type users --entity-name berichtenverkeer --add-config "SCRAM-SHA-512=[password=${SCRAM_BERICHTENVERKEER_PASSWORD}]"
/opt/kafka/bin/kafka-configs.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --alter --entity-type users --entity-name declaratie --add-config "SCRAM-SHA-512=[password=${SCRAM_DECLARATIE_PASSWORD}]"
/opt/kafka/bin/kafka-configs.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --alter --entity-type users --entity-name facturatie --add-config "SCRAM-SHA-512=[password=${SCRAM_FACTURATIE_PASSWORD}]"
/opt/kafka/bin/kafka-configs.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --alter --entity-type users --entity-name operator --add-config "SCRAM-SHA-512=[password=${SCRAM_OPERATOR_PASSWORD}]"
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:berichtenverkeer --allow-host '*' --operation Read --group berichtenverkeer
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:berichtenverkeer --allow-host '*' --operation Create --operation Describe --operation Write --topic backoffice.berichten.ontvangen.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:berichtenverkeer --allow-host '*' --operation Create --operation Describe --operation Write --topic backoffice.deadletter.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:berichtenverkeer --allow-host '*' --operation Create --operation Describe --operation Read --topic backoffice.declaratie.beoordeeld.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:berichtenverkeer --allow-host '*' --operation Create --operation Describe --operation Read --topic backoffice.facturatie.geboekt.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:declaratie --allow-host '*' --operation Read --group declaratie
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:declaratie --allow-host '*' --operation Create --operation Describe --operation Read --topic backoffice.berichten.ontvangen.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:declaratie --allow-host '*' --operation Create --operation Describe --operation Write --topic backoffice.deadletter.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:declaratie --allow-host '*' --operation Create --operation Describe --operation Write --topic backoffice.declaratie.beoordeeld.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:facturatie --allow-host '*' --operation Read --group facturatie
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:facturatie --allow-host '*' --operation Create --operation Describe --operation Write --topic backoffice.deadletter.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:facturatie --allow-host '*' --operation Create --operation Describe --operation Read --topic backoffice.declaratie.beoordeeld.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:facturatie --allow-host '*' --operation Create --operation Describe --operation Write --topic backoffice.facturatie.geboekt.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:operator --allow-host '*' --operation Describe --operation Write --topic backoffice.berichten.ontvangen.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:operator --allow-host '*' --operation Describe --operation Read --topic backoffice.deadletter.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:operator --allow-host '*' --operation Describe --operation Write --topic backoffice.declaratie.beoordeeld.v1
/opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config /tmp/admin.properties --add --allow-principal User:operator --allow-host '*' --operation Describe --operation Write --topic backoffice.facturatie.geboekt.v1
echo "kafka-setup: SCRAM users and ACLs are in place"

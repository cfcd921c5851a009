/**
 * systemd units as the EKS AMIs install them (awslabs/amazon-eks-ami
 * templates/al2/runtime/kubelet-containerd.service,
 * templates/al2023/runtime/rootfs/etc/systemd/system/kubelet.service).
 */
export const AL2_UNIT = `[Unit]
Description=Kubernetes Kubelet
After=containerd.service

[Service]
ExecStartPre=/sbin/iptables -P FORWARD ACCEPT -w 5
ExecStart=/usr/bin/kubelet --config /etc/kubernetes/kubelet/kubelet-config.json \\
    --kubeconfig /var/lib/kubelet/kubeconfig \\
    --container-runtime-endpoint unix:///run/containerd/containerd.sock \\
    $KUBELET_ARGS \\
    $KUBELET_EXTRA_ARGS
Restart=always

[Install]
WantedBy=multi-user.target
`;
export const AL2_ARGS = `[Service]\nEnvironment='KUBELET_ARGS=--node-ip=10.0.0.1 --pod-infra-container-image=602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/pause:3.5 --v=2'\n`;
export const AL2023_UNIT = `[Unit]
Description=Kubernetes Kubelet
[Service]
EnvironmentFile=/etc/eks/kubelet/environment
ExecStartPre=/sbin/iptables -P FORWARD ACCEPT -w 5
ExecStart=/usr/bin/kubelet $NODEADM_KUBELET_ARGS
`;

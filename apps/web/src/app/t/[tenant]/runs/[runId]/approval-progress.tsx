// How far a deployment review has come: "1 of 2 approvals" and who approved (the run page and the approvals inbox).
export function ApprovalProgress({ approval }: { approval: { approvals: number; requiredApprovals: number; approvedBy: { userId: string; name: string }[] } }) {
  return (
    <span className="muted small" data-testid="approval-progress">
      {" "}
      · {approval.approvals} of {approval.requiredApprovals} approval{approval.requiredApprovals === 1 ? "" : "s"}
      {approval.approvedBy.length > 0 && <> (approved by {approval.approvedBy.map((voter) => voter.name).join(", ")})</>}
    </span>
  );
}

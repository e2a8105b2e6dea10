% rebase('base.tpl', title='Boxes')
<h1>Boxes</h1>
<p class="hint">Every box sharing this database. A box is offline when its last heartbeat
is older than {{offline_after}} seconds. This is box {{this_box}}.</p>
% if not boxes:
<p id="no-boxes">No box has written a heartbeat yet.</p>
% else:
<div class="scroll">
<table id="boxes">
<thead><tr><th>Box</th><th>State</th><th>Last heartbeat</th><th>Modems up</th>
<th>Calls</th><th>Version</th></tr></thead>
<tbody>
% for box in boxes:
<tr data-name="{{box.name}}" data-state="{{'online' if box.online else 'offline'}}">
  <td>{{box.name}}{{' (this box)' if box.name == this_box else ''}}</td>
  <td>{{'online' if box.online else 'offline'}}</td>
  <td>{{silence_text(box.silent_for)}} ago</td>
  <td>{{box.modems_up}}/{{box.modems_total}}</td>
  <td>{{box.active_calls}}</td>
  <td>{{box.version}}</td>
</tr>
% end
</tbody>
</table>
</div>
% end

from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_figure.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_figure = resolve('figure')
    l_0_url = resolve('url')
    pass
    yield '<figure class="figure" id="figure-'
    yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'key'))
    yield '">\n'
    if (environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'kind') == 'gap-map'):
        pass
        template = environment.get_template('_gap_map.html', '_figure.html')
        gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
        try:
            for event in gen:
                yield event
        finally: gen.close()
    else:
        pass
        yield '  <img src="'
        yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), (('figures/' + environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'key')) + '.svg')))
        yield '" alt="'
        yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'alt'))
        yield '" loading="lazy">\n'
    yield '  <figcaption><strong>'
    yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'title'))
    yield '.</strong> '
    yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'caption'))
    yield ' '
    yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'note'))
    yield '\n  <a href="'
    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), (('figures/' + environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'key')) + '.html')))
    yield '">'
    if (environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'kind') == 'gap-map'):
        pass
        yield 'Studies in each cell'
    else:
        pass
        yield 'Data table'
    yield '</a> · '
    if (environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'kind') == 'gap-map'):
        pass
        yield '<a href="'
        yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), (('figures/' + environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'key')) + '.svg')))
        yield '">Figure (SVG)</a> · '
    yield '<a href="'
    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), (('figures/' + environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'key')) + '.csv')))
    yield '">CSV</a></figcaption>\n</figure>\n'

blocks = {}
debug_info = '1=14&2=16&3=18&5=27&7=32&8=38'